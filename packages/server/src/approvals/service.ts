/**
 * Human approvals: an agent's request for one exact action waits for a human's yes or no.
 *
 * ## API for other contexts
 *
 * The decision point (`POST /v1/authorize`) and delegation (token exchange) call this service;
 * the HTTP plugin `http/routes/approvals.ts` exposes it to agents and operators.
 *
 * - `createRequest(request, actor, alongside?) → Approval` (status `pending`)
 *     request: `{ agentId, chain?, onBehalfOf?, action, tool, resource: {type, id, owner?,
 *     sensitivity?}, reason, origin: 'decision' | 'delegation' | 'agent', context? }`.
 *     The decision point calls it when policy answers `require_approval` (origin `decision`,
 *     context e.g. `{decision_id, reasons}`), and returns the approval's id as `approval_id`.
 *     Delegation beyond `delegation.approvalDepth` uses origin `delegation` (e.g. action
 *     `delegate`, tool `oauth2/token-exchange`, resource `{type: 'agent', id: <child>}`).
 *     Expires after `approvals.ttlSeconds`; needs two approvers when the action is in
 *     `approvals.twoPersonActions`; a webhook goes out in the background. Throws
 *     TooManyPendingError (429 `too_many_pending`) when the agent already has
 *     `approvals.maxPendingPerAgent` requests pending. `alongside(approvalId)` returns the
 *     caller's own entries (the decision point's `policy.decision`), appended in the request's
 *     transaction: request and decision entry commit together or not at all.
 *
 * - `consume(approvalId, {agentId, action, tool, resource, onBehalfOf?}, actor?, alongside?) → ConsumeResult`
 *     `{ok: true, approval}` or `{ok: false, code, message, denialReason?}` with `code` one of
 *     `not_found`, `pending`, `denied` (with the deciders' reason), `expired`, `used`,
 *     `wrong_agent`, `mismatch` (types.ts `REFUSALS`). On success the approval is marked
 *     `used` by a conditional UPDATE … WHERE status = 'approved' AND not expired, and only the
 *     caller whose UPDATE changed the row wins: single use across concurrent callers and
 *     replicas. Every refusal is audited (`approval.consume_refused`). The decision point calls
 *     it with the retried request's own fields; anything different from what was approved
 *     changes the binding hash (binding.ts) and is refused. `alongside`'s entries (the decision
 *     that spends it) commit with the `used` change, and only if this caller won; it is given
 *     that transaction too, for rows of the caller's own that must commit with the spending
 *     (delegation's chain link and issuance entry: a failure there leaves the approval unspent).
 *
 * - `check(approvalId, presented, actor?) → ConsumeResult`
 *     The same checks as `consume` without spending the approval (refusals audited alike),
 *     for a caller that spends it only if something else then holds (policy allows).
 *
 * - `decide(id, 'approve' | 'deny', decider, reason?) → Approval`
 *     decider: `{kind: 'operator', id, email, roles}` (or an agent, always refused). Who may
 *     decide is deciders.ts. Throws ForbiddenError (403), NotFoundError (404),
 *     IllegalTransitionError (409, already decided/expired/used), ConflictError (409, the same
 *     operator approving twice under the two-person rule).
 *
 * - `pendingFor({agentId, action, tool, resource, onBehalfOf?}) → Approval | null`
 *     The agent's newest request still pending for exactly this request (same binding hash):
 *     the decision point reuses it rather than ask the humans twice.
 *
 * - `find(id)`, `get(id)`, `list({status?, agentId?, onBehalfOf?, limit?, cursor?})`,
 *   `wait(id, seconds, signal?)` (resolves as soon as the status leaves `pending`, or after
 *   `min(seconds, approvals.maxWaitSeconds)`), `sweepExpired()`.
 *
 * Every status change commits with its audit entry (`audit.withEntry`): `approval.requested`,
 * `approval.approval_recorded` (first of two), `approval.approved`, `approval.denied`,
 * `approval.used`, `approval.expired`; refusals are `approval.decide_refused` and
 * `approval.consume_refused`; the webhook adds `approval.notified` / `approval.notify_failed`.
 *
 * Statuses are reported as of the injected clock: a pending or approved request past its
 * expiry reads `expired` at once; the row is updated (and the expiry audited, once) by the
 * next decide/consume on it or by the periodic sweep (the scheduler's `approvals.expiry`).
 *
 * This class is only the face: each use case is a file of its own (create.ts, decide.ts,
 * consume.ts, expire.ts, read.ts, list.ts, wait.ts) over the context's SQL (store.ts).
 */

import type { AuditLog } from '../audit/index.js';
import type { Actor } from '../audit/index.js';
import type { Scheduler } from '../scheduler/index.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../storage/index.js';
import { consume, check } from './consume.js';
import { createRequest } from './create.js';
import { decide } from './decide.js';
import type { AgentOwnerLookup, ApprovalDeps, ApprovalNotifier, ApprovalSettings } from './deps.js';
import { sweepExpired } from './expire.js';
import { resendUnnotified } from './webhook-resend.js';
import { countPending, list, type ApprovalPage } from './list.js';
import { find, get, pendingFor } from './read.js';
import type { Approval, BoundRequest, ConsumeResult, Decider, Decision, ListFilter, NewApprovalRequest, RecordAlongside } from './types.js';
import { ParkedPoller, wait } from './wait.js';
import { Waiters } from './waiters.js';

export type { ApprovalNotifier, ApprovalSettings } from './deps.js';
export type { ApprovalPage } from './list.js';

export interface ApprovalServiceOptions {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  /** Runs the replica poller (`approvals.parked-poll`) when long-polls re-read the rows. */
  scheduler: Scheduler;
  settings: ApprovalSettings;
  notifier?: ApprovalNotifier | undefined;
  /** The agent's current owner, for separation of duties (the composition root wires the registry). */
  agentOwner?: AgentOwnerLookup | undefined;
  /**
   * Whether long-polls also re-read the row (another replica may decide). Default: on for
   * PostgreSQL, off for SQLite (one process).
   */
  pollWaits?: boolean | undefined;
}

export class ApprovalService {
  readonly waiters = new Waiters();
  readonly notifier: ApprovalNotifier | undefined;
  /** Requests this process is sending again (webhook-resend.ts). */
  private readonly resending = new Set<string>();
  private readonly deps: ApprovalDeps;
  private readonly poller: ParkedPoller | undefined;

  constructor(options: ApprovalServiceOptions) {
    this.notifier = options.notifier;
    this.deps = {
      db: options.store.db,
      audit: options.audit,
      clock: options.clock,
      settings: options.settings,
      waiters: this.waiters,
      notifier: options.notifier,
      agentOwner: options.agentOwner,
    };
    const pollWaits = options.pollWaits ?? options.store.dialect === 'postgres';
    this.poller = pollWaits ? new ParkedPoller(this.deps, options.scheduler) : undefined;
  }

  /** `alongside`: entries of the caller's committed with the request (or not at all). */
  createRequest(input: NewApprovalRequest, actor: Actor, alongside?: RecordAlongside): Promise<Approval> {
    return createRequest(this.deps, input, actor, alongside);
  }

  find(id: string): Promise<Approval | null> {
    return find(this.deps, id);
  }

  get(id: string): Promise<Approval> {
    return get(this.deps, id);
  }

  pendingFor(request: BoundRequest): Promise<Approval | null> {
    return pendingFor(this.deps, request);
  }

  /** Oldest first (the queue order), by keyset paging on (created_at, id). */
  list(filter: ListFilter = {}): Promise<ApprovalPage> {
    return list(this.deps, filter);
  }

  /** Requests of all agents still pending now (the approvals-pending gauge). */
  countPending(): Promise<number> {
    return countPending(this.deps);
  }

  decide(id: string, decision: Decision, decider: Decider, reason?: string | null): Promise<Approval> {
    return decide(this.deps, id, decision, decider, reason);
  }

  /** Spends an approval on the request it was given for; `actor` defaults to the presenting agent. */
  consume(id: string, presented: BoundRequest, actor?: Actor, alongside?: RecordAlongside): Promise<ConsumeResult> {
    return consume(this.deps, id, presented, actor, alongside);
  }

  /** Whether `consume` would accept this presentation now, without spending the approval. */
  check(id: string, presented: BoundRequest, actor?: Actor): Promise<ConsumeResult> {
    return check(this.deps, id, presented, actor);
  }

  /** Marks every overdue pending/approved request expired; returns how many it changed. */
  sweepExpired(batch?: number): Promise<number> {
    return sweepExpired(this.deps, batch);
  }

  /** The job `approvals.webhook-resend` (webhook-resend.ts): requests whose delivery never finished are sent again. */
  resendUnnotified(): Promise<number> {
    return this.notifier ? resendUnnotified(this.deps, this.notifier, this.resending) : Promise.resolve(0);
  }

  wait(id: string, seconds: number, signal?: AbortSignal): Promise<Approval> {
    return wait(this.deps, this.poller, id, seconds, signal);
  }

  /** Ends every parked long-poll (shutdown). */
  releaseWaits(): void {
    this.poller?.stop();
    this.waiters.notifyAll();
  }
}
