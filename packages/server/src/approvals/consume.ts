import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { bindingHash } from './binding.js';
import { changeRow } from './change.js';
import type { ApprovalDeps } from './deps.js';
import { persistExpiry } from './expire.js';
import { get } from './read.js';
import { toApproval } from './rows.js';
import { rowById } from './store.js';
import type { ApprovalRow } from './tables.js';
import { REFUSALS, type Approval, type ApprovalStatus, type BoundRequest, type ConsumeResult, type RecordAlongside, type RefusalCode } from './types.js';

/**
 * Presenting an approval: `consume` spends it on the request it was given for, `check` says
 * whether it would without spending it. Both refuse (and audit the refusal) an unknown id,
 * another agent, a request that hashes differently (binding.ts), and any status but approved.
 */

/**
 * Spends an approval (see service.ts for the contract); `actor` defaults to the presenting
 * agent. The row moves to `used` only if it is still approved and live when the UPDATE runs,
 * so exactly one of several concurrent callers, on any replica, wins. `alongside`'s entries
 * (the decision that spends it) commit with the change, or are not recorded at all.
 */
export async function consume(deps: ApprovalDeps, id: string, presented: BoundRequest, actor?: Actor, alongside?: RecordAlongside): Promise<ConsumeResult> {
  const who: Actor = actor ?? { kind: 'agent', id: presented.agentId };
  const checked = await examine(deps, id, presented, who);
  if (!checked.ok) return checked.result;
  const { row, current } = checked;
  const at = isoTime(deps.clock.now());
  const won = await changeRow(
    deps,
    row,
    { status: 'used', used_at: at },
    { status: ['approved'], expiry: { live: at } },
    {
      type: 'approval.used',
      actor: who,
      action: 'consume',
      details: { action: row.action, tool: row.tool, binding_hash: row.binding_hash, approvers: current.approvals.map((a) => a.operatorId) },
    },
    alongside,
  );
  if (won) {
    deps.waiters.notify(id);
    return { ok: true, approval: await get(deps, id) };
  }
  // Lost a race: another caller used it, or it expired in between. Report what it is now.
  const fresh = await rowById(deps.db, id);
  return refuseFor(deps, fresh!, toApproval(fresh!, deps.clock.now()), presented, who);
}

/**
 * Whether `consume` would accept this presentation now, without spending the approval: for
 * a caller that must decide other things before spending it. Refusals are audited like
 * `consume`'s.
 */
export async function check(deps: ApprovalDeps, id: string, presented: BoundRequest, actor?: Actor): Promise<ConsumeResult> {
  const checked = await examine(deps, id, presented, actor ?? { kind: 'agent', id: presented.agentId });
  return checked.ok ? { ok: true, approval: checked.current } : checked.result;
}

/** The checks shared by `check` and `consume`: existence, agent, binding, status. */
async function examine(
  deps: ApprovalDeps,
  id: string,
  presented: BoundRequest,
  who: Actor,
): Promise<{ ok: true; row: ApprovalRow; current: Approval } | { ok: false; result: ConsumeResult }> {
  const row = await rowById(deps.db, id);
  if (!row) return { ok: false, result: await refuse(deps, id, 'not_found', presented, who) };
  if (row.agent_id !== presented.agentId) return { ok: false, result: await refuse(deps, id, 'wrong_agent', presented, who) };
  const hash = bindingHash(presented);
  if (hash !== row.binding_hash) return { ok: false, result: await refuse(deps, id, 'mismatch', presented, who, { presented_hash: hash }) };
  const current = toApproval(row, deps.clock.now());
  if (current.status !== 'approved') return { ok: false, result: await refuseFor(deps, row, current, presented, who) };
  return { ok: true, row, current };
}

/** The refusal for a request in any status but approved (recording an expiry it finds due). */
async function refuseFor(deps: ApprovalDeps, row: ApprovalRow, current: Approval, presented: BoundRequest, who: Actor): Promise<ConsumeResult> {
  if (current.status === 'expired' && row.status !== 'expired') await persistExpiry(deps, row);
  const code: RefusalCode = current.status === 'approved' ? 'used' : (current.status as Exclude<ApprovalStatus, 'approved'>);
  const result = await refuse(deps, row.id, code, presented, who, code === 'denied' ? { denial_reason: current.decisionReason } : {});
  return { ...result, approval: current, ...(code === 'denied' ? { denialReason: current.decisionReason } : {}) } as ConsumeResult;
}

async function refuse(deps: ApprovalDeps, id: string, code: RefusalCode, presented: BoundRequest, who: Actor, details: Record<string, unknown> = {}): Promise<ConsumeResult> {
  await deps.audit.append({
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
