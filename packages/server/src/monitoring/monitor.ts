import { addCount, advance, BASELINE_SLOTS, claimAlert, currentCount, judge, resetBaseline } from './baseline.js';
import { toolDeclared, type DecisionEvent, type MonitorEvent, type TokenEvent } from './events.js';
import type { MonitorSettings, RateSignalSettings } from './settings.js';
import { RATE_SIGNALS, severityRank, SIGNALS, WINDOWS, type RateSignal, type Severity, type SignalName, type WindowName } from './signals.js';

/** What the monitor found: one alert to raise (alerts.ts stores it). */
export interface Anomaly {
  agentId: string;
  signal: SignalName;
  window: WindowName;
  observed: number;
  baseline: { mean: number; deviation: number };
  severity: Severity;
  reason: string;
  /** Audit sequence numbers of recent events of this signal (the last one caused the alert). */
  sampleSeqs: number[];
  atMs: number;
}

const SAMPLES = 5;
const SIGNAL_COUNT = Object.keys(SIGNALS).length;
const RATE_AREA = RATE_SIGNALS.length * WINDOWS.length * BASELINE_SLOTS;
/** Per signal: SAMPLES audit seqs in a ring, then the ring's next position. */
const SAMPLE_AREA = SIGNAL_COUNT * (SAMPLES + 1);
const STATE_SIZE = RATE_AREA + SAMPLE_AREA;
/** What a name in `seen` was seen as (bits). */
const SEEN = { tool: 1, scope: 2, undeclared: 4 } as const;

interface AgentState {
  /** Every baseline and sample ring of the agent, in one typed array. */
  numbers: Float64Array;
  firstSeenMs: number;
  /**
   * Names seen, up to maxSeenPerAgent, each with SEEN bits (a tool, a scope, an undeclared tool
   * alerted). Keyed by the name itself, not a prefixed copy: a string's hash is computed once
   * and kept on it, so the lookup per event costs no concatenation and no rehash.
   */
  seen: Map<string, number>;
  /** Deepest delegation chain seen (−1: none yet). */
  maxDepth: number;
}

function baselineAt(signal: RateSignal, windowIndex: number): number {
  return (SIGNALS[signal].slot * WINDOWS.length + windowIndex) * BASELINE_SLOTS;
}

function sampleAt(signal: SignalName): number {
  return RATE_AREA + SIGNALS[signal].slot * (SAMPLES + 1);
}

/**
 * Watches every agent's behaviour against its own normal and its registration: O(1) work
 * per event (a few array writes per window, one set lookup), a fixed-size state per agent,
 * and at most `maxAgents` agents (the one seen first is dropped to make room). Pure: time
 * comes in with each event; nothing here does I/O. `observe` returns the anomalies to raise.
 */
export class AgentMonitor {
  private readonly agents = new Map<string, AgentState>();

  constructor(private readonly settings: MonitorSettings) {}

  get trackedAgents(): number {
    return this.agents.size;
  }

  /** Whether the monitor holds a baseline for this agent. */
  tracks(agentId: string): boolean {
    return this.agents.has(agentId);
  }

  /** Forgets an agent (decommissioned): its next event starts a fresh warm-up. */
  forget(agentId: string): void {
    this.agents.delete(agentId);
  }

  observe(event: MonitorEvent): Anomaly[] {
    const state = this.stateOf(event.agentId, event.atMs);
    const found: Anomaly[] = [];
    switch (event.kind) {
      case 'token':
        this.count(state, event, 'auth_frequency', event.count, found);
        this.tokenScopes(state, event, found);
        break;
      case 'auth_failure':
        this.count(state, event, 'error_rate', 1, found);
        break;
      case 'decision':
        this.decision(state, event, found);
        break;
    }
    return found;
  }

  private stateOf(agentId: string, nowMs: number): AgentState {
    let state = this.agents.get(agentId);
    if (state) return state;
    if (this.agents.size >= this.settings.maxAgents) {
      const oldest = this.agents.keys().next().value;
      if (oldest !== undefined) this.agents.delete(oldest);
    }
    const numbers = new Float64Array(STATE_SIZE);
    // Every window's history starts now, also for signals with no event yet: a first
    // cross-user access after a quiet month is judged against a month of zeros.
    for (const signal of RATE_SIGNALS) {
      WINDOWS.forEach((window, w) => {
        resetBaseline(numbers, baselineAt(signal, w));
        advance(numbers, baselineAt(signal, w), window, nowMs);
      });
    }
    state = { numbers, firstSeenMs: nowMs, seen: new Map(), maxDepth: -1 };
    this.agents.set(agentId, state);
    return state;
  }

  private warm(state: AgentState, nowMs: number): boolean {
    return nowMs - state.firstSeenMs >= this.settings.warmupMinutes * 60_000;
  }

  private sample(state: AgentState, signal: SignalName, seq: number): void {
    const at = sampleAt(signal);
    const next = state.numbers[at + SAMPLES]!;
    state.numbers[at + (next % SAMPLES)] = seq;
    state.numbers[at + SAMPLES] = next + 1;
  }

  private samples(state: AgentState, signal: SignalName): number[] {
    const at = sampleAt(signal);
    const written = state.numbers[at + SAMPLES]!;
    const out: number[] = [];
    for (let i = Math.max(0, written - SAMPLES); i < written; i += 1) out.push(state.numbers[at + (i % SAMPLES)]!);
    return out;
  }

  /** Adds `n` to a rate signal in every window and judges each window's current bucket. */
  private count(state: AgentState, event: MonitorEvent, signal: RateSignal, n: number, found: Anomaly[]): void {
    const settings = this.settings.signals[signal];
    this.sample(state, signal, event.seq);
    WINDOWS.forEach((window, w) => {
      const at = baselineAt(signal, w);
      advance(state.numbers, at, window, event.atMs);
      addCount(state.numbers, at, n);
      const judged = judge(state.numbers, at, window, settings);
      const burst = w === 0 && settings.burstPerMinute > 0 && currentCount(state.numbers, at) >= settings.burstPerMinute;
      if (judged) {
        const severity = severityFor(settings, judged.z, burst);
        if (claimAlert(state.numbers, at, severityRank(severity))) {
          found.push(this.rateAnomaly(state, event, signal, window.name, judged.observed, judged.mean, judged.deviation, severity));
        }
      } else if (burst && claimAlert(state.numbers, at, severityRank(settings.escalatedSeverity))) {
        // A burst alerts even before warm-up (the 1-minute window's bucket is this minute).
        found.push(this.rateAnomaly(state, event, signal, '1m', currentCount(state.numbers, at), 0, 0, settings.escalatedSeverity, `at least ${settings.burstPerMinute} in one minute`));
      }
    });
  }

  private rateAnomaly(state: AgentState, event: MonitorEvent, signal: RateSignal, window: WindowName, observed: number, mean: number, deviation: number, severity: Severity, why?: string): Anomaly {
    const what = `${observed} ${SIGNALS[signal].describes}`;
    const reason = why ? `${what}: ${why}` : `${what} in the current ${window} bucket against a usual ${mean.toFixed(2)} ± ${deviation.toFixed(2)}`;
    return { agentId: event.agentId, signal, window, observed, baseline: { mean, deviation }, severity, reason, sampleSeqs: this.samples(state, signal), atMs: event.atMs };
  }

  private eventAnomaly(state: AgentState, event: MonitorEvent, signal: SignalName, observed: number, baseline: number, severity: Severity, reason: string): Anomaly {
    this.sample(state, signal, event.seq);
    return { agentId: event.agentId, signal, window: 'event', observed, baseline: { mean: baseline, deviation: 0 }, severity, reason, sampleSeqs: this.samples(state, signal), atMs: event.atMs };
  }

  /** Remembers `name` as `as`; true when that is new (and there was room to remember it). */
  private firstTime(state: AgentState, name: string, as: number): boolean {
    const bits = state.seen.get(name);
    if (bits === undefined) {
      if (state.seen.size >= this.settings.maxSeenPerAgent) return false;
      state.seen.set(name, as);
      return true;
    }
    if ((bits & as) !== 0) return false;
    state.seen.set(name, bits | as);
    return true;
  }

  private tokenScopes(state: AgentState, event: TokenEvent, found: Anomaly[]): void {
    const warm = this.warm(state, event.atMs);
    for (const scope of event.scopes) {
      if (this.firstTime(state, scope, SEEN.scope) && warm) {
        found.push(this.eventAnomaly(state, event, 'scope_usage', 1, 0, this.settings.signals.scope_usage.firstUseSeverity, `scope '${scope}' used for the first time`));
      }
    }
  }

  private decision(state: AgentState, event: DecisionEvent, found: Anomaly[]): void {
    this.count(state, event, 'action_velocity', 1, found);
    if (event.decision === 'deny') this.count(state, event, 'error_rate', 1, found);
    if (event.resourceOwner !== null && event.actingFor !== null && event.resourceOwner !== event.actingFor) {
      this.count(state, event, 'cross_user', 1, found);
    }
    const warm = this.warm(state, event.atMs);
    const usage = this.settings.signals.scope_usage;
    if (!toolDeclared(event.tool, event.declaredTools)) {
      // Against the registration: no warm-up needed, one alert per undeclared tool.
      if (this.firstTime(state, event.tool, SEEN.undeclared)) {
        found.push(this.eventAnomaly(state, event, 'scope_usage', 1, 0, usage.undeclaredSeverity, `tool '${event.tool}' is not among the agent's registered tools`));
      }
    } else if (this.firstTime(state, event.tool, SEEN.tool) && warm) {
      found.push(this.eventAnomaly(state, event, 'scope_usage', 1, 0, usage.firstUseSeverity, `tool '${event.tool}' used for the first time`));
    }
    if (event.depth !== undefined) {
      const usual = state.maxDepth;
      if (event.depth > usual) {
        state.maxDepth = event.depth;
        if (warm && usual >= 0) {
          found.push(this.eventAnomaly(state, event, 'delegation_depth', event.depth, usual, this.settings.signals.delegation_depth.severity, `delegation chain of depth ${event.depth}, deeper than the agent's usual ${usual}`));
        }
      }
    }
  }
}

function severityFor(settings: RateSignalSettings, z: number, burst: boolean): Severity {
  return burst || z >= settings.escalateZScore ? settings.escalatedSeverity : settings.severity;
}
