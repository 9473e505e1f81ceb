/**
 * Human approvals: an agent's request for one exact action waits for a human's yes or no.
 *
 * ## API for other contexts
 *
 * The decision point (`POST /v1/authorize`) and delegation (token exchange) call this service;
 * the HTTP plugin `http/routes/approvals.ts` exposes it to agents and operators.
 *
 * - `createRequest(request, actor) → Approval` (status `pending`)
 *     request: `{ agentId, chain?, onBehalfOf?, action, tool, resource: {type, id, owner?,
 *     sensitivity?}, reason, origin: 'decision' | 'delegation' | 'agent', context? }`.
 *     The decision point calls it when policy answers `require_approval` (origin `decision`,
 *     context e.g. `{decision_id, reasons}`), and returns the approval's id as `approval_id`.
 *     Delegation beyond `delegation.approvalDepth` uses origin `delegation` (e.g. action
 *     `delegate`, tool `oauth2/token-exchange`, resource `{type: 'agent', id: <child>}`).
 *     Expires after `approvals.ttlSeconds`; needs two approvers when the action is in
 *     `approvals.twoPersonActions`; a webhook goes out in the background. Throws
 *     TooManyPendingError (429 `too_many_pending`) when the agent already has
 *     `approvals.maxPendingPerAgent` requests pending.
 *
 * - `consume(approvalId, {agentId, action, tool, resource, onBehalfOf?}, actor?) → ConsumeResult`
 *     `{ok: true, approval}` or `{ok: false, code, message, denialReason?}` with `code` one of
 *     `not_found`, `pending`, `denied` (with the deciders' reason), `expired`, `used`,
 *     `wrong_agent`, `mismatch` (types.ts `REFUSALS`). On success the approval is marked
 *     `used` by a conditional UPDATE … WHERE status = 'approved' AND not expired, and only the
 *     caller whose UPDATE changed the row wins: single use across concurrent callers and
 *     replicas. Every refusal is audited (`approval.consume_refused`). The decision point calls
 *     it with the retried request's own fields; anything different from what was approved
 *     changes the binding hash (binding.ts) and is refused.
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
 * - `get(id)`, `list({status?, agentId?, onBehalfOf?, limit?, cursor?})`,
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
 * next decide/consume on it or by the periodic sweep.
 */
import type { Updateable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { AuditLog } from '../audit/log.js';
import type { Actor, AuditEvent } from '../audit/types.js';
import { isoTime, type Clock } from '../shared/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { randomId } from '../shared/ids.js';
import type { Executor, Store } from '../storage/database.js';
import type { ApprovalTables as Tables } from './tables.js';
import { bindingHash, normaliseResource } from './binding.js';
import { mayDecide } from './deciders.js';
import { TooManyPendingError } from './errors.js';
import { encodeApprovals, toApproval } from './rows.js';
import { assertMove, EXPIRABLE } from './states.js';
import type { ApprovalRow } from './tables.js';
import {
  APPROVAL_ORIGINS,
  REFUSALS,
  type Approval,
  type ApprovalStatus,
  type BoundRequest,
  type ConsumeResult,
  type Decider,
  type Decision,
  type ListFilter,
  type NewApprovalRequest,
  type RecordedApproval,
  type RefusalCode,
} from './types.js';
import { checkDisplayText } from './text.js';
import { Waiters } from './waiters.js';
import { approvalTables } from './tables.js';

/** An UPDATE of one approval row, before it runs. */
type ApprovalUpdate = UpdateQueryBuilder<Tables, 'approvals', 'approvals', UpdateResult>;

export interface ApprovalSettings {
  ttlSeconds: number;
  maxWaitSeconds: number;
  twoPersonActions: readonly string[];
  allowDelegatingUser: boolean;
  pollIntervalMs: number;
  /** Cap on an agent's pending requests (none when absent). */
  maxPendingPerAgent?: number | undefined;
}

export interface ApprovalNotifier {
  /** Must return at once: delivery happens in the background. */
  deliver(approval: Approval): void;
  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  idle?(): Promise<void>;
}

export interface ApprovalServiceOptions {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  settings: ApprovalSettings;
  notifier?: ApprovalNotifier | undefined;
  /**
   * Whether long-polls also re-read the row (another replica may decide). Default: on for
   * PostgreSQL, off for SQLite (one process).
   */
  pollWaits?: boolean | undefined;
}

export interface ApprovalPage {
  items: Approval[];
  nextCursor: string | null;
}

const SYSTEM: Actor = { kind: 'system', id: 'approvals' };
const MAX_TEXT = 2_000;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1_000;
/** Concurrent decisions on one request retry on a fresh read this many times before giving up. */
const DECIDE_RETRIES = 5;
/** Parked ids read per query by the replica poller. */
const POLL_BATCH = 500;

function required(value: string | undefined | null, field: string, max = 200): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field} is required`, { field });
  if (value.length > max) throw new ValidationError(`${field} is longer than ${max} characters`, { field });
  return value;
}

/** Approval ids as randomId('apr') makes them. */
const CURSOR_ID = /^apr_[A-Za-z0-9_-]{1,64}$/;

function encodeCursor(row: { created_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Only what encodeCursor writes (a stored ISO time, an approval id) reaches the query: a
    // NUL, say, is an error in PostgreSQL rather than an empty page.
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string')) {
      const [createdAt, id] = parsed as [string, string];
      const ms = Date.parse(createdAt);
      if (!Number.isNaN(ms) && isoTime(ms) === createdAt && CURSOR_ID.test(id)) return [createdAt, id];
    }
  } catch {
    /* fall through */
  }
  throw new ValidationError('cursor is not one this server gave out', { field: 'cursor' });
}

export class ApprovalService {
  readonly waiters = new Waiters();
  private readonly store: Store;
  private readonly audit: AuditLog;
  private readonly clock: Clock;
  private readonly settings: ApprovalSettings;
  readonly notifier: ApprovalNotifier | undefined;
  private readonly pollWaits: boolean;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(options: ApprovalServiceOptions) {
    this.store = options.store;
    this.audit = options.audit;
    this.clock = options.clock;
    this.settings = options.settings;
    this.notifier = options.notifier;
    this.pollWaits = options.pollWaits ?? options.store.dialect === 'postgres';
  }

  async createRequest(input: NewApprovalRequest, actor: Actor): Promise<Approval> {
    const agentId = required(input.agentId, 'agent_id');
    const action = required(input.action, 'action');
    const tool = required(input.tool, 'tool');
    const reason = required(input.reason, 'reason', MAX_TEXT);
    if (!input.resource || typeof input.resource !== 'object') throw new ValidationError('resource is required', { field: 'resource' });
    required(input.resource.type, 'resource.type');
    required(input.resource.id, 'resource.id', 1_000);
    if (!APPROVAL_ORIGINS.includes(input.origin)) throw new ValidationError(`origin must be one of ${APPROVAL_ORIGINS.join(', ')}`, { field: 'origin' });
    checkDisplayText('action', action);
    checkDisplayText('tool', tool);
    checkDisplayText('reason', reason, 'multi');
    for (const [key, value] of Object.entries(input.resource)) checkDisplayText(`resource.${key}`, value);
    checkDisplayText('on_behalf_of', input.onBehalfOf);
    const resource = normaliseResource(input.resource);
    const onBehalfOf = input.onBehalfOf ?? null;
    const now = this.clock.now();
    const row: ApprovalRow = {
      id: randomId('apr'),
      agent_id: agentId,
      chain: JSON.stringify(input.chain ?? [{ sub: agentId }]),
      on_behalf_of: onBehalfOf,
      action,
      tool,
      resource: JSON.stringify(resource),
      reason,
      origin: input.origin,
      context: input.context === undefined ? null : JSON.stringify(input.context),
      binding_hash: bindingHash({ agentId, action, tool, resource, onBehalfOf }),
      status: 'pending',
      required_approvals: this.settings.twoPersonActions.includes(action) ? 2 : 1,
      approvals: '[]',
      requested_by: JSON.stringify(actor),
      created_at: isoTime(now),
      expires_at: isoTime(now + this.settings.ttlSeconds * 1000),
      decided_by: null,
      decided_at: null,
      decision_reason: null,
      used_at: null,
      version: 0,
    };
    const approval = await this.audit.withEntry(async (trx) => {
      const cap = this.settings.maxPendingPerAgent;
      if (cap !== undefined) {
        const { n } = await approvalTables(trx)
          .selectFrom('approvals')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('agent_id', '=', agentId)
          .where('status', '=', 'pending')
          .where('expires_at', '>', row.created_at)
          .executeTakeFirstOrThrow();
        if (Number(n) >= cap) throw new TooManyPendingError(agentId, cap);
      }
      await approvalTables(trx).insertInto('approvals').values(row).execute();
      return {
        result: toApproval(row, now),
        events: [
          {
            type: 'approval.requested',
            actor,
            subject: row.id,
            agentId,
            action: 'request',
            outcome: 'success',
            details: {
              origin: row.origin,
              action,
              tool,
              resource,
              on_behalf_of: onBehalfOf,
              chain: input.chain ?? [{ sub: agentId }],
              reason,
              binding_hash: row.binding_hash,
              required_approvals: row.required_approvals,
              expires_at: row.expires_at,
            },
          },
        ],
      };
    });
    this.notifier?.deliver(approval);
    return approval;
  }

  private async row(id: string, db: Executor = this.store.db): Promise<ApprovalRow | undefined> {
    return approvalTables(db).selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async find(id: string): Promise<Approval | null> {
    const row = await this.row(id);
    return row ? toApproval(row, this.clock.now()) : null;
  }

  async get(id: string): Promise<Approval> {
    const approval = await this.find(id);
    if (!approval) throw new NotFoundError('approval', id);
    return approval;
  }

  /** Oldest first (the queue order), by keyset paging on (created_at, id). */
  async list(filter: ListFilter = {}): Promise<ApprovalPage> {
    const limit = Math.min(Math.max(filter.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
    const now = isoTime(this.clock.now());
    let query = approvalTables(this.store.db).selectFrom('approvals').selectAll();
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    if (filter.onBehalfOf !== undefined) query = query.where('on_behalf_of', '=', filter.onBehalfOf);
    const status = filter.status;
    if (status === 'pending' || status === 'approved') {
      query = query.where('status', '=', status).where('expires_at', '>', now);
    } else if (status === 'expired') {
      query = query.where((eb) =>
        eb.or([eb('status', '=', 'expired'), eb.and([eb('status', 'in', [...EXPIRABLE]), eb('expires_at', '<=', now)])]),
      );
    } else if (status !== undefined) {
      query = query.where('status', '=', status);
    }
    if (filter.cursor !== undefined) {
      const [createdAt, id] = decodeCursor(filter.cursor);
      query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
    }
    const rows = await query.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const nowMs = this.clock.now();
    return { items: page.map((r) => toApproval(r, nowMs)), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
  }

  async decide(id: string, decision: Decision, decider: Decider, reason?: string | null): Promise<Approval> {
    if (reason !== undefined && reason !== null && reason.length > MAX_TEXT) {
      throw new ValidationError(`reason is longer than ${MAX_TEXT} characters`, { field: 'reason' });
    }
    checkDisplayText('reason', reason, 'multi');
    const target: ApprovalStatus = decision === 'approve' ? 'approved' : 'denied';
    for (let attempt = 0; attempt < DECIDE_RETRIES; attempt += 1) {
      const row = await this.row(id);
      if (!row) throw new NotFoundError('approval', id);
      const now = this.clock.now();
      const current = toApproval(row, now);
      const verdict = mayDecide(current, decider, this.settings);
      if (!verdict.allowed) {
        await this.audit.append({
          type: 'approval.decide_refused',
          actor: decider.kind === 'agent' ? { kind: 'agent', id: decider.id } : { kind: 'operator', id: decider.id, roles: [...decider.roles] },
          subject: id,
          agentId: row.agent_id,
          action: decision,
          outcome: 'denied',
          details: { code: verdict.code },
        });
        throw new ForbiddenError(verdict.message, { code: verdict.code });
      }
      if (decider.kind !== 'operator') throw new ForbiddenError('only operators decide'); // narrowed by mayDecide
      if (current.status === 'expired' && row.status !== 'expired') await this.persistExpiry(row);
      assertMove(current.status, target);
      const operatorActor: Actor = { kind: 'operator', id: decider.id, roles: [...decider.roles] };
      const at = isoTime(now);
      const change = this.nextState(current, decision, decider, at, reason ?? null);
      const outcome = await this.changeRow(
        row,
        change.set,
        (update) => update.where('status', '=', 'pending').where('version', '=', row.version).where('expires_at', '>', at),
        {
          type: change.event,
          actor: operatorActor,
          action: decision,
          details: {
            status: change.set.status,
            reason: reason ?? null,
            approvers: change.approvers,
            required_approvals: current.requiredApprovals,
            as_delegating_user: verdict.asDelegatingUser,
            binding_hash: row.binding_hash,
          },
        },
      );
      if (!outcome) continue; // someone else changed it in between: decide on a fresh read
      if (change.set.status !== 'pending') this.waiters.notify(id);
      return this.get(id);
    }
    throw new ConflictError(`approval '${id}' is being decided concurrently; try again`);
  }

  /** The row change a decision makes, and the event it records. */
  private nextState(current: Approval, decision: Decision, decider: Extract<Decider, { kind: 'operator' }>, at: string, reason: string | null) {
    if (decision === 'deny') {
      return {
        event: 'approval.denied',
        approvers: current.approvals.map((a) => a.operatorId),
        set: { status: 'denied' as ApprovalStatus, decided_by: decider.id, decided_at: at, decision_reason: reason },
      };
    }
    if (current.approvals.some((a) => a.operatorId === decider.id)) {
      throw new ConflictError(`operator '${decider.id}' has already approved this request; it needs a second, different approver`, {
        required_approvals: current.requiredApprovals,
      });
    }
    const record: RecordedApproval = { operatorId: decider.id, email: decider.email, at, reason };
    const approvals = [...current.approvals, record];
    const complete = approvals.length >= current.requiredApprovals;
    return {
      event: complete ? 'approval.approved' : 'approval.approval_recorded',
      approvers: approvals.map((a) => a.operatorId),
      set: complete
        ? { status: 'approved' as ApprovalStatus, approvals: encodeApprovals(approvals), decided_by: decider.id, decided_at: at, decision_reason: reason }
        : { status: 'pending' as ApprovalStatus, approvals: encodeApprovals(approvals) },
    };
  }

  /**
   * Spends an approval on the request it was given for. See the header for the contract;
   * `actor` defaults to the presenting agent.
   */
  async consume(id: string, presented: BoundRequest, actor?: Actor): Promise<ConsumeResult> {
    const who: Actor = actor ?? { kind: 'agent', id: presented.agentId };
    const checked = await this.examine(id, presented, who);
    if (!checked.ok) return checked.result;
    const { row, current } = checked;
    const at = isoTime(this.clock.now());
    const won = await this.changeRow(
      row,
      { status: 'used', used_at: at },
      (update) => update.where('status', '=', 'approved').where('expires_at', '>', at),
      {
        type: 'approval.used',
        actor: who,
        action: 'consume',
        details: { action: row.action, tool: row.tool, binding_hash: row.binding_hash, approvers: current.approvals.map((a) => a.operatorId) },
      },
    );
    if (won) {
      this.waiters.notify(id);
      return { ok: true, approval: await this.get(id) };
    }
    // Lost a race: another caller used it, or it expired in between. Report what it is now.
    const fresh = await this.row(id);
    return this.refuseFor(fresh!, toApproval(fresh!, this.clock.now()), presented, who);
  }

  /**
   * Whether `consume` would accept this presentation now, without spending the approval: for
   * a caller that must decide other things before spending it (the decision point spends it
   * only when policy then allows). Refusals are audited like `consume`'s.
   */
  async check(id: string, presented: BoundRequest, actor?: Actor): Promise<ConsumeResult> {
    const checked = await this.examine(id, presented, actor ?? { kind: 'agent', id: presented.agentId });
    return checked.ok ? { ok: true, approval: checked.current } : checked.result;
  }

  /** The checks shared by `check` and `consume`: existence, agent, binding, status. */
  private async examine(
    id: string,
    presented: BoundRequest,
    who: Actor,
  ): Promise<{ ok: true; row: ApprovalRow; current: Approval } | { ok: false; result: ConsumeResult }> {
    const row = await this.row(id);
    if (!row) return { ok: false, result: await this.refuse(id, 'not_found', presented, who) };
    if (row.agent_id !== presented.agentId) return { ok: false, result: await this.refuse(id, 'wrong_agent', presented, who) };
    const hash = bindingHash(presented);
    if (hash !== row.binding_hash) return { ok: false, result: await this.refuse(id, 'mismatch', presented, who, { presented_hash: hash }) };
    const current = toApproval(row, this.clock.now());
    if (current.status !== 'approved') return { ok: false, result: await this.refuseFor(row, current, presented, who) };
    return { ok: true, row, current };
  }

  private async refuseFor(row: ApprovalRow, current: Approval, presented: BoundRequest, who: Actor): Promise<ConsumeResult> {
    if (current.status === 'expired' && row.status !== 'expired') await this.persistExpiry(row);
    const code: RefusalCode = current.status === 'approved' ? 'used' : (current.status as Exclude<ApprovalStatus, 'approved'>);
    const result = await this.refuse(row.id, code, presented, who, code === 'denied' ? { denial_reason: current.decisionReason } : {});
    return { ...result, approval: current, ...(code === 'denied' ? { denialReason: current.decisionReason } : {}) } as ConsumeResult;
  }

  private async refuse(id: string, code: RefusalCode, presented: BoundRequest, who: Actor, details: Record<string, unknown> = {}): Promise<ConsumeResult> {
    await this.audit.append({
      type: 'approval.consume_refused',
      actor: who,
      subject: id,
      agentId: presented.agentId,
      action: 'consume',
      outcome: 'denied',
      details: { code, action: presented.action, tool: presented.tool, ...details },
    });
    return { ok: false, code, message: REFUSALS[code] };
  }

  /**
   * Marks a request expired (and audits it) when its time has passed and it is still pending
   * or approved. Conditional, so with several replicas exactly one records the expiry.
   */
  private async persistExpiry(row: ApprovalRow): Promise<boolean> {
    const at = isoTime(this.clock.now());
    const changed = await this.changeRow(
      row,
      { status: 'expired' },
      (update) => update.where('status', 'in', [...EXPIRABLE]).where('version', '=', row.version).where('expires_at', '<=', at),
      { type: 'approval.expired', actor: SYSTEM, action: 'expire', details: { was: row.status, expires_at: row.expires_at } },
    );
    if (changed) this.waiters.notify(row.id);
    return changed;
  }

  /**
   * Changes the row (bumping its version) and records the successful `event` about it, in one
   * transaction, if the row still matches `guard`: false, with nothing recorded, when another
   * caller or replica changed it first. The guard is what makes each status move happen once.
   */
  private async changeRow(
    row: ApprovalRow,
    set: Updateable<ApprovalRow>,
    guard: (update: ApprovalUpdate) => ApprovalUpdate,
    event: Pick<AuditEvent, 'type' | 'actor' | 'action' | 'details'>,
  ): Promise<boolean> {
    return this.audit.withEntry(async (trx) => {
      const updated = await guard(approvalTables(trx).updateTable('approvals').set({ ...set, version: row.version + 1 }).where('id', '=', row.id)).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return { result: false, events: [] as AuditEvent[] };
      return { result: true, events: [{ ...event, subject: row.id, agentId: row.agent_id, outcome: 'success' as const }] };
    });
  }

  /** Marks every overdue pending/approved request expired; returns how many it changed. */
  async sweepExpired(batch = 500): Promise<number> {
    const at = isoTime(this.clock.now());
    const rows = await approvalTables(this.store.db)
      .selectFrom('approvals')
      .selectAll()
      .where('status', 'in', [...EXPIRABLE])
      .where('expires_at', '<=', at)
      .orderBy('expires_at')
      .limit(batch)
      .execute();
    let changed = 0;
    for (const row of rows) if (await this.persistExpiry(row)) changed += 1;
    return changed;
  }

  /**
   * Long-poll: resolves as soon as the request is no longer pending, when `seconds` (capped by
   * `approvals.maxWaitSeconds`) or the request's own expiry run out, or when `signal` aborts
   * (the client went away). Returns the request as it then is.
   */
  async wait(id: string, seconds: number, signal?: AbortSignal): Promise<Approval> {
    const capped = Math.max(0, Math.min(seconds, this.settings.maxWaitSeconds));
    if (capped === 0) return this.get(id);
    // Park before reading, so that a decision between the read and the park is not missed.
    const release = new AbortController();
    const onAbort = () => release.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const parked = this.waiters.wait(id, { timeoutMs: capped * 1000, signal: release.signal });
      this.startPoller();
      const current = await this.get(id).catch((error: unknown) => {
        release.abort();
        throw error;
      });
      if (current.status !== 'pending' || signal?.aborted) {
        release.abort();
        await parked;
        return current;
      }
      // Wake at the expiry too, if it comes before the wait's end.
      const untilExpiry = Date.parse(current.expiresAt) - this.clock.now();
      const expiryTimer = untilExpiry < capped * 1000 ? setTimeout(() => release.abort(), Math.max(0, untilExpiry)) : undefined;
      await parked;
      if (expiryTimer) clearTimeout(expiryTimer);
      return this.get(id);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Ends every parked long-poll (shutdown). */
  releaseWaits(): void {
    this.stopPoller();
    this.waiters.notifyAll();
  }

  /**
   * With several replicas (PostgreSQL), a decision made elsewhere cannot call our `notify`. One
   * poller per replica, running only while waits are parked, reads every parked id in one query
   * each `pollIntervalMs` and wakes those no longer pending: the cost grows with time, not with
   * the number of waiting agents.
   */
  private startPoller(): void {
    if (!this.pollWaits || this.poller) return;
    this.poller = setInterval(() => void this.pollParked(), this.settings.pollIntervalMs);
    this.poller.unref();
  }

  private stopPoller(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  private async pollParked(): Promise<void> {
    const ids = this.waiters.ids();
    if (ids.length === 0) return this.stopPoller();
    if (this.polling) return; // the previous round is still reading
    this.polling = true;
    try {
      const now = isoTime(this.clock.now());
      for (let i = 0; i < ids.length; i += POLL_BATCH) {
        const settled = await approvalTables(this.store.db)
          .selectFrom('approvals')
          .select('id')
          .where('id', 'in', ids.slice(i, i + POLL_BATCH))
          .where((eb) => eb.or([eb('status', '!=', 'pending'), eb('expires_at', '<=', now)]))
          .execute();
        for (const row of settled) this.waiters.notify(row.id);
      }
    } catch {
      // A failed round (e.g. the database briefly away) is retried on the next tick; waits
      // still end by their own timeout.
    } finally {
      this.polling = false;
    }
  }
}
