import type { Actor, AuditEvent } from '../audit/index.js';
import type { Tx } from '../storage/index.js';
import type { AgentRow } from './tables.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors.js';
import { lockForChange } from './access.js';
import { assertWithinCeiling } from './ceiling.js';
import type { RegistryDeps } from './deps.js';
import { checkAgentPatch, fieldChanges, type AgentFields } from './fields.js';
import { isEditable, type AgentStatus } from './lifecycle.js';
import { agentEvent, agentFromRow } from './record.js';
import type { AccessScope, Agent, AgentPatch } from './types.js';

/**
 * Changes mutable fields. A patch that changes nothing writes nothing (and no audit entry);
 * a decommissioned agent is frozen (409).
 */
export async function updateAgent(deps: RegistryDeps, id: string, patch: AgentPatch, actor: Actor, access: AccessScope): Promise<Agent> {
  const next = checkPatch(deps, patch, access);
  assertWithinCeiling(next, access);
  return deps.audit.withEntry((trx) => updateIn(deps, trx, id, next, actor, access));
}

/** A patch's fields, checked; an owner-scoped caller cannot hand the agent to another owner. */
export function checkPatch(deps: RegistryDeps, patch: AgentPatch, access: AccessScope): Partial<AgentFields> {
  const next = checkAgentPatch(patch, deps.settings.tokenTtl);
  if (Object.keys(next).length === 0) throw new ValidationError('nothing to change: give at least one mutable field');
  if (access.owner !== undefined && next.owner !== undefined && next.owner !== access.owner) {
    throw new ForbiddenError('an owner cannot hand its agent to another owner; ask an admin', { field: 'owner' });
  }
  return next;
}

/** The agent a patch is for, locked, within `access` and still editable (409 once decommissioned). */
export async function editableRow(deps: RegistryDeps, trx: Tx, id: string, access: AccessScope): Promise<AgentRow> {
  const row = await lockForChange(deps.agents, trx, id, access);
  if (!isEditable(row.status as AgentStatus)) throw new ConflictError(`agent '${id}' is ${row.status}; its record can no longer change`, { status: row.status });
  return row;
}

/** The patch inside the caller's transaction: the change and its `agent.updated` event (`extra` details added). */
export async function updateIn(
  deps: RegistryDeps,
  trx: Tx,
  id: string,
  next: Partial<AgentFields>,
  actor: Actor,
  access: AccessScope,
  extra: Record<string, unknown> = {},
): Promise<{ result: Agent; events: AuditEvent[] }> {
  const row = await editableRow(deps, trx, id, access);
  const now = deps.clock.now();
  const current = agentFromRow(row, now, deps.settings.reviewIntervalDays);
  const { set, before, after } = fieldChanges(row, current, next);
  if (Object.keys(set).length === 0) return { result: current, events: [] };
  set.updated_at = isoTime(now);
  await deps.agents.update(trx, id, set);
  return {
    result: agentFromRow({ ...row, ...set }, now, deps.settings.reviewIntervalDays),
    events: [agentEvent('agent.updated', 'update', actor, id, { changed: Object.keys(after), before, after, ...extra })],
  };
}
