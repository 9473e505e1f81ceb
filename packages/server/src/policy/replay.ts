/**
 * What-if replay (beyond OPA): re-evaluates logged decisions — their stored input, at the time
 * they were made — against a candidate module set (the active modules with the candidate's
 * modules replacing, adding or, with `null`, removing some) and reports every decision whose
 * outcome would change. Nothing is written: no approval is created or spent.
 *
 * Limits of the replay, by construction: context values logged as sensitive were HMAC'd, so
 * the candidate sees their HMACs; data documents are today's; `time.now_ns()` is the logged
 * decision time (ms precision).
 */
import { toJSON } from '@mandate/rego';
import type { AuditEntry, AuditFilter } from '../audit/index.js';
import type { Clock } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import { DECISION_EVENT } from './decision-point.js';
import { CLASSIFICATION_RANKS } from './input.js';
import type { DecisionKind, Outcome } from './outcome.js';
import { decideAgain, type LoggedDecision } from './package-eval.js';
import type { PolicySandbox } from './sandbox.js';
import { candidateFor, nextCandidateKey } from './candidate.js';
import type { PolicyService } from './service.js';

export interface ReplayRequest {
  /** Module id → text, or null to remove that module from the candidate set. */
  modules: Record<string, string | null>;
  /** A duration back from now (`90s`, `30m`, `24h`, `7d`) or an ISO-8601 time. */
  since: string;
  /** Most decisions to re-evaluate (oldest first); default 10,000. */
  limit?: number | undefined;
}

export interface ChangedDecision {
  decision_id: string;
  before: DecisionKind;
  after: DecisionKind;
  reasons_before: string[];
  reasons_after: string[];
  time: string;
  agent: string | null;
  action: string;
  tool: string | null;
}

export interface ReplayResult {
  evaluated: number;
  /** Logged decisions that could not be replayed (no input: the token was invalid). */
  skipped: number;
  changed: ChangedDecision[];
  /** True when more decisions than `limit` fell in the window. */
  truncated: boolean;
  base_revision: number;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const REPLAY_DEFAULT_LIMIT = 10_000;
export const REPLAY_MAX_LIMIT = 100_000;

/** The start of the window, in ms since the epoch. */
export function sinceMs(since: string, nowMs: number): number {
  const duration = /^(\d{1,9})(s|m|h|d)$/.exec(since.trim());
  // A window reaching before 1970 (999999999d) means the whole log, not an invalid date.
  if (duration) return Math.max(0, nowMs - Number(duration[1]) * UNITS[duration[2]!]!);
  const at = Date.parse(since);
  if (/^\d{4}-\d{2}-\d{2}/.test(since) && Number.isFinite(at)) return at;
  throw new ValidationError("since must be a duration such as 24h, 30m, 7d or an ISO-8601 time", { field: 'since' });
}

/** Where replay reads what was decided: the audit log's entries by filter, oldest first (AuditReader). */
export interface DecisionLog {
  entries(filter: AuditFilter): AsyncIterable<AuditEntry>;
}

export interface DecisionReplayOptions {
  policies: PolicyService;
  log: DecisionLog;
  clock: Clock;
  /** Where the candidate is evaluated (off the event loop, sandbox.ts); in process when absent. */
  sandbox?: PolicySandbox;
}

export class DecisionReplay {
  constructor(private readonly options: DecisionReplayOptions) {}

  /**
   * Replays the logged decisions of the window against the candidate (the active policy, changed).
   * The decisions are read here; the candidate runs in the sandbox within its budget, and
   * `signal` (the client went away) stops it.
   */
  async run(request: ReplayRequest, options: { signal?: AbortSignal } = {}): Promise<ReplayResult> {
    const { policies, log, clock, sandbox } = this.options;
    const active = await policies.fresh();
    const limit = request.limit ?? REPLAY_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > REPLAY_MAX_LIMIT) throw new ValidationError(`limit must be 1–${REPLAY_MAX_LIMIT}`, { field: 'limit' });
    const from = new Date(sinceMs(request.since, clock.now())).toISOString();
    // Compiled first, in the sandbox's worker when there is one (off the event loop, within its
    // budget): a candidate that does not compile is a 400 with OPA's error list, and a busy
    // sandbox a 429, before any decision is read.
    const candidate = candidateFor(active, request.modules, policies.regoVersion, sandbox !== undefined);
    const policy = { key: nextCandidateKey(), modules: candidate.modules, regoVersion: policies.regoVersion, data: toJSON(candidate.data) };
    await sandbox?.run({ kind: 'compile', policy }, options.signal);

    const result: ReplayResult = { evaluated: 0, skipped: 0, changed: [], truncated: false, base_revision: active.revision };
    const replayed: Array<{ entry: AuditEntry; logged: LoggedDecision }> = [];
    let seen = 0;
    for await (const entry of log.entries({ type: DECISION_EVENT, from })) {
      if (seen === limit) {
        result.truncated = true;
        break;
      }
      seen += 1;
      const logged = entry.details as unknown as LoggedDecision;
      if (!logged.input?.agent) {
        result.skipped += 1;
        continue;
      }
      replayed.push({ entry, logged });
    }
    result.evaluated = replayed.length;
    if (replayed.length === 0) return result;

    const limits = { maxSteps: policies.settings.maxSteps, timeoutMs: policies.settings.maxEvalMs };
    const decisions = replayed.map((r) => r.logged);
    let outcomes: Outcome[];
    if (sandbox) {
      const answer = await sandbox.run({ kind: 'replay', policy, decisions, ranks: { ...CLASSIFICATION_RANKS }, limits }, options.signal);
      outcomes = 'outcomes' in answer ? answer.outcomes : [];
    } else {
      outcomes = decisions.map((logged) => decideAgain(candidate, limits, CLASSIFICATION_RANKS, logged));
    }

    replayed.forEach(({ entry, logged }, i) => {
      const after = outcomes[i]!;
      if (after.decision === logged.decision) return;
      result.changed.push({
        decision_id: logged.decision_id,
        before: logged.decision,
        after: after.decision,
        reasons_before: logged.reasons,
        reasons_after: after.reasons,
        time: entry.time,
        agent: entry.agentId,
        action: entry.action,
        tool: typeof logged.input.tool === 'string' ? logged.input.tool : null,
      });
    });
    return result;
  }
}
