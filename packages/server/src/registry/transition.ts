import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import { lockForChange } from './access.js';
import type { RegistryDeps } from './deps.js';
import { assertTransition, LIFECYCLE_ACTIONS, type AgentStatus, type LifecycleAction } from './lifecycle.js';
import { actorLabel, agentEvent, agentFromRow } from './record.js';
import { checkOptionalText, FIELD_LIMITS } from './rules.js';
import type { StatusChangeAnnouncer } from './status-hooks.js';
import type { AgentRow } from './tables.js';
import type { AccessScope, StatusChange, TransitionOutcome } from './types.js';
import type { RevokedCredential } from '../shared/revoked.js';

/** Decommissioned agents hold no credentials: both secret slots are emptied with the move. */
const NO_SECRETS: Partial<AgentRow> = { client_secret_hash: null, client_secret_issued_at: null, previous_secret_hash: null, previous_secret_expires_at: null };

/**
 * Moves an agent through its lifecycle (lifecycle.ts). Decommissioning also drops the
 * client secrets; in-transaction listeners revoke what other contexts issued, in the same
 * commit; after-commit listeners then drop in-memory state. 409 on an illegal move.
 */
export async function transitionAgent(
  deps: RegistryDeps,
  announce: StatusChangeAnnouncer,
  id: string,
  action: LifecycleAction,
  actor: Actor,
  reason: string | null | undefined,
  access: AccessScope,
): Promise<TransitionOutcome> {
  const spec = LIFECYCLE_ACTIONS[action];
  if (!spec) throw new ValidationError(`unknown lifecycle action '${String(action)}'`);
  const why = checkOptionalText('reason', reason, FIELD_LIMITS.reason.maxLength);
  let change: StatusChange | null = null;
  const agent = await deps.audit.withEntry(async (trx) => {
    const row = await lockForChange(deps.agents, trx, id, access);
    const from = row.status as AgentStatus;
    assertTransition(from, spec.to);
    const now = deps.clock.now();
    const at = isoTime(now);
    const set: Partial<AgentRow> = { status: spec.to, status_changed_at: at, status_changed_by: actorLabel(actor), status_reason: why, updated_at: at };
    if (spec.to === 'decommissioned') Object.assign(set, NO_SECRETS);
    await deps.agents.update(trx, id, set, from);
    const committed: StatusChange = { agentId: id, clientId: row.client_id, from, to: spec.to, action, actor, reason: why, at };
    // Lock order in this transaction: the agent row (above), then whatever the hooks lock
    // (OAuth: the revocation feed head), then the audit head (withEntry, last).
    const announced = await announce.inTransaction(trx, committed);
    const events = [agentEvent(spec.event, action, actor, id, { from, to: spec.to, reason: why }), ...announced.events];
    change = committed;
    // The registry's own part of a decommission: the client secrets it just emptied.
    const ownRevoked: RevokedCredential[] = spec.to === 'decommissioned' && (row.client_secret_hash || row.previous_secret_hash) ? [{ kind: 'client_secret', id: row.client_id }] : [];
    return { result: { agent: agentFromRow({ ...row, ...set }, now, deps.settings.reviewIntervalDays), revoked: [...ownRevoked, ...announced.revoked] }, events };
  });
  if (change) await announce.afterCommit(change);
  return agent;
}
