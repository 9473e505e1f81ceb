import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { changeRow } from './change.js';
import { mayDecide } from './deciders.js';
import { MAX_TEXT, type ApprovalDeps } from './deps.js';
import { persistExpiry } from './expire.js';
import { get } from './read.js';
import { encodeApprovals, toApproval } from './rows.js';
import { assertMove } from './states.js';
import { rowById } from './store.js';
import { checkDisplayText } from './text.js';
import type { Approval, ApprovalStatus, Decider, Decision, RecordedApproval } from './types.js';

/** Concurrent decisions on one request retry on a fresh read this many times before giving up. */
const DECIDE_RETRIES = 5;

/**
 * A human's approve or deny. Who may is deciders.ts (refusals are audited); the move is
 * states.ts; the change is conditional on the version read, so of two simultaneous decisions
 * one wins and the other decides again on a fresh read (under the two-person rule both
 * approvals are then recorded).
 */
export async function decide(deps: ApprovalDeps, id: string, decision: Decision, decider: Decider, reason?: string | null): Promise<Approval> {
  if (reason !== undefined && reason !== null && reason.length > MAX_TEXT) {
    throw new ValidationError(`reason is longer than ${MAX_TEXT} characters`, { field: 'reason' });
  }
  checkDisplayText('reason', reason, 'multi');
  const target: ApprovalStatus = decision === 'approve' ? 'approved' : 'denied';
  for (let attempt = 0; attempt < DECIDE_RETRIES; attempt += 1) {
    const row = await rowById(deps.db, id);
    if (!row) throw new NotFoundError('approval', id);
    const now = deps.clock.now();
    const current = toApproval(row, now);
    const agentOwner = deps.agentOwner && decider.kind === 'operator' ? await deps.agentOwner(row.agent_id) : null;
    const verdict = mayDecide({ ...current, agentOwner }, decider, deps.settings);
    if (!verdict.allowed) {
      await deps.audit.append({
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
    if (current.status === 'expired' && row.status !== 'expired') await persistExpiry(deps, row);
    assertMove(current.status, target);
    const operatorActor: Actor = { kind: 'operator', id: decider.id, roles: [...decider.roles] };
    const at = isoTime(now);
    const change = nextState(current, decision, decider, at, reason ?? null);
    const changed = await changeRow(
      deps,
      row,
      change.set,
      { status: ['pending'], version: row.version, expiry: { live: at } },
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
    if (!changed) continue; // someone else changed it in between: decide on a fresh read
    if (change.set.status !== 'pending') deps.waiters.notify(id);
    return get(deps, id);
  }
  throw new ConflictError(`approval '${id}' is being decided concurrently; try again`);
}

/** The row change a decision makes, and the event it records. */
function nextState(current: Approval, decision: Decision, decider: Extract<Decider, { kind: 'operator' }>, at: string, reason: string | null) {
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
