import type { AuditEntry } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import { addCount, advance, baselineOf, BASELINE_SLOTS, judgingDeviation, resetBaseline } from './baseline.js';
import type { DecisionLogReader } from './deps.js';
import type { MonitorEvent } from './events.js';
import { FEED, monitorEventOf } from './feed.js';
import type { MonitorSettings } from './settings.js';
import { RATE_SIGNALS, SIGNAL_NAMES, WINDOWS, type RateSignal, type SignalName } from './signals.js';

/** The most buckets one series answers (a chart's width, not a bulk export). */
export const SERIES_BUCKETS_MAX = 500;
/** The most audit entries one series reads (a bound on its time and memory); beyond, `complete` is false. */
export const SERIES_ENTRIES_MAX = 100_000;
/**
 * Buckets of history read before the first one shown, per window, so the first baseline shown
 * has learnt about as much as the live monitor's would: about 3/alpha buckets of the window's
 * exponentially weighted memory.
 */
const HISTORY_FACTOR = 3;

export type SeriesWindow = (typeof WINDOWS)[number]['name'];
export const SERIES_WINDOWS: readonly SeriesWindow[] = WINDOWS.map((w) => w.name);

/** One signal over the buckets: what was observed in each, and the baseline it was judged against. */
export interface SignalLine {
  kind: 'rate' | 'event';
  /** Rate signals: the count per bucket. scope_usage: first uses of a tool or scope. delegation_depth: the deepest chain (0: none). */
  observed: number[];
  /** Rate signals: the learnt mean before the bucket. delegation_depth: the deepest chain before it. scope_usage: 0 (any first use is news). */
  mean: number[];
  /** Rate signals: the learnt standard deviation before the bucket; 0 for event signals. */
  deviation: number[];
  /** Rate signals: the count at which the bucket alerts (z-score and minCount, or the minute window's burst; null before warm-up without a burst); null for event signals. */
  threshold: Array<number | null>;
}

export interface SignalSeries {
  agentId: string;
  window: SeriesWindow;
  bucketSeconds: number;
  /** Start of each bucket shown, ISO-8601. */
  times: string[];
  signals: Partial<Record<SignalName, SignalLine>>;
  /** Audit entries read (the window shown and its history). */
  entriesRead: number;
  /** False when more than SERIES_ENTRIES_MAX entries were in range: the newest buckets are then undercounted. */
  complete: boolean;
}

export interface SeriesRequest {
  agentId: string;
  window: SeriesWindow;
  buckets: number;
  /** The last bucket shown is the one holding this time. */
  endMs: number;
  /** Which signals to answer (default: the six). */
  only?: readonly SignalName[];
}

/** What one event adds to each rate signal (the monitor's counting, monitor.ts `observe`). */
function rateCounts(event: MonitorEvent): Array<[RateSignal, number]> {
  switch (event.kind) {
    case 'token':
      return [['auth_frequency', event.count]];
    case 'auth_failure':
      return [['error_rate', 1]];
    case 'decision': {
      const counts: Array<[RateSignal, number]> = [['action_velocity', 1]];
      if (event.decision === 'deny') counts.push(['error_rate', 1]);
      if (event.resourceOwner !== null && event.actingFor !== null && event.resourceOwner !== event.actingFor) counts.push(['cross_user', 1]);
      return counts;
    }
  }
}

/** Tools and scopes an event used (scope_usage counts the first use of each). */
function namesUsed(event: MonitorEvent): readonly string[] {
  if (event.kind === 'token') return event.scopes;
  if (event.kind === 'decision' && event.tool !== '') return [event.tool];
  return [];
}

/**
 * An agent's six monitor signals over the last `buckets` buckets of a window, rebuilt from the
 * audit log (the monitor keeps only running baselines in memory, no history): the entries the
 * monitor is fed (feed.ts), counted per bucket, and the baseline each bucket was judged
 * against, learnt with the monitor's own arithmetic (baseline.ts) from a history read before
 * the first bucket shown. What a chart of observed value against baseline needs. Failed
 * authentications count when their entry names the agent (`agent_id`) or, unauthenticated, its client_id.
 */
export async function signalSeries(log: DecisionLogReader, settings: MonitorSettings, request: SeriesRequest): Promise<SignalSeries> {
  const window = WINDOWS.find((w) => w.name === request.window);
  if (!window) throw new ValidationError(`window must be one of ${SERIES_WINDOWS.join(', ')}`, { field: 'window' });
  if (!Number.isInteger(request.buckets) || request.buckets < 1 || request.buckets > SERIES_BUCKETS_MAX) {
    throw new ValidationError(`buckets must be 1–${SERIES_BUCKETS_MAX}`, { field: 'buckets' });
  }
  const only = request.only ?? SIGNAL_NAMES;
  const lastBucket = Math.floor(request.endMs / window.bucketMs);
  const firstShown = lastBucket - request.buckets + 1;
  const firstRead = firstShown - Math.ceil(HISTORY_FACTOR / window.alpha);
  const total = lastBucket - firstRead + 1;

  const counts = new Map<RateSignal, Float64Array>(RATE_SIGNALS.map((s) => [s, new Float64Array(total)]));
  const firstUses = new Float64Array(total);
  const depth = new Float64Array(total).fill(-1);
  const seen = new Set<string>();
  let firstEventBucket: number | null = null;
  let read = 0;
  let complete = true;
  const range = { from: isoTime(firstRead * window.bucketMs), to: isoTime((lastBucket + 1) * window.bucketMs), order: 'asc' as const };
  const count = (entry: AuditEntry): boolean => {
    if (read >= SERIES_ENTRIES_MAX) {
      complete = false;
      return false;
    }
    read += 1;
    const event = monitorEventOf(entry);
    if (!event) return true;
    const i = Math.floor(event.atMs / window.bucketMs) - firstRead;
    if (i < 0 || i >= total) return true;
    firstEventBucket = Math.min(firstEventBucket ?? i, i);
    for (const [signal, n] of rateCounts(event)) counts.get(signal)![i] += n;
    for (const name of namesUsed(event)) {
      if (seen.size < settings.maxSeenPerAgent && !seen.has(name)) {
        seen.add(name);
        firstUses[i] += 1;
      }
    }
    if (event.kind === 'decision' && event.depth !== undefined) depth[i] = Math.max(depth[i]!, event.depth);
    return true;
  };
  for await (const entry of log.entries({ ...range, agent: request.agentId })) {
    if (!FEED.has(entry.type) || entry.agentId !== request.agentId) continue;
    if (!count(entry)) break;
  }
  // A failed client authentication names the agent only by the client_id it presented (feed.ts).
  if (complete) {
    for await (const entry of log.entries({ ...range, type: 'oauth.token.refused' })) {
      if (entry.agentId !== null || entry.details.client_id !== request.agentId) continue;
      if (!count(entry)) break;
    }
  }

  const shown = (i: number) => i >= total - request.buckets;
  const signals: SignalSeries['signals'] = {};
  for (const signal of RATE_SIGNALS) {
    if (!only.includes(signal)) continue;
    const line: SignalLine = { kind: 'rate', observed: [], mean: [], deviation: [], threshold: [] };
    const state = new Float64Array(BASELINE_SLOTS);
    resetBaseline(state, 0);
    const { zScore, minCount, burstPerMinute } = settings.signals[signal];
    // The minute window also alerts on a burst, before warm-up too (monitor.ts `count`).
    const burst = window.name === '1m' && burstPerMinute > 0 ? burstPerMinute : null;
    for (let i = 0; i < total; i += 1) {
      // Like the monitor, the baseline starts at the agent's first event: quiet buckets before it teach nothing.
      if (firstEventBucket !== null && i >= firstEventBucket) advance(state, 0, window, (firstRead + i) * window.bucketMs);
      if (shown(i)) {
        const learnt = baselineOf(state, 0);
        const variance = learnt.deviation ** 2;
        line.observed.push(counts.get(signal)![i]!);
        line.mean.push(learnt.mean);
        line.deviation.push(learnt.deviation);
        const judged = learnt.buckets >= window.warmupBuckets ? Math.max(minCount, learnt.mean + zScore * judgingDeviation(learnt.mean, variance)) : null;
        line.threshold.push(judged === null ? burst : burst === null ? judged : Math.min(judged, burst));
      }
      if (firstEventBucket !== null && i >= firstEventBucket) addCount(state, 0, counts.get(signal)![i]!);
    }
    signals[signal] = line;
  }
  if (only.includes('scope_usage')) {
    const line: SignalLine = { kind: 'event', observed: [], mean: [], deviation: [], threshold: [] };
    for (let i = total - request.buckets; i < total; i += 1) {
      line.observed.push(firstUses[i]!);
      line.mean.push(0);
      line.deviation.push(0);
      line.threshold.push(null);
    }
    signals.scope_usage = line;
  }
  if (only.includes('delegation_depth')) {
    const line: SignalLine = { kind: 'event', observed: [], mean: [], deviation: [], threshold: [] };
    let deepest = 0;
    for (let i = 0; i < total; i += 1) {
      if (shown(i)) {
        line.observed.push(Math.max(depth[i]!, 0));
        line.mean.push(deepest);
        line.deviation.push(0);
        line.threshold.push(null);
      }
      deepest = Math.max(deepest, depth[i]!);
    }
    signals.delegation_depth = line;
  }
  const times: string[] = [];
  for (let b = firstShown; b <= lastBucket; b += 1) times.push(isoTime(b * window.bucketMs));
  return { agentId: request.agentId, window: window.name, bucketSeconds: window.bucketMs / 1000, times, signals, entriesRead: read, complete };
}
