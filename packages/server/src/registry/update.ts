import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors.js';
import { lockForChange } from './access.js';
import { assertWithinCeiling } from './ceiling.js';
import type { RegistryDeps } from './deps.js';
import { checkAgentPatch, fieldChanges } from './fields.js';
import { isEditable, type AgentStatus } from './lifecycle.js';
import { agentEvent, agentFromRow } from './record.js';
import type { AccessScope, Agent, AgentPatch } from './types.js';

/**
 * Changes mutable fields. A patch that changes nothing writes nothing (and no audit entry);
 * a decommissioned agent is frozen (409).
 */
export async function updateAgent(deps: RegistryDeps, id: string, patch: AgentPatch, actor: Actor, access: AccessScope): Promise<Agent> {
  const next = checkAgentPatch(patch, deps.settings.tokenTtl);
  if (Object.keys(next).length === 0) throw new ValidationError('nothing to change: give at least one mutable field');
  if (access.owner !== undefined && next.owner !== undefined && next.owner !== access.owner) {
    throw new ForbiddenError('an owner cannot hand its agent to another owner; ask an admin', { field: 'owner' });
  }
  assertWithinCeiling(next, access);
  return deps.audit.withEntry(async (trx) => {
    const row = await lockForChange(deps.agents, trx, id, access);
    if (!isEditable(row.status as AgentStatus)) throw new ConflictError(`agent '${id}' is ${row.status}; its record can no longer change`, { status: row.status });
    const now = deps.clock.now();
    const current = agentFromRow(row, now, deps.settings.reviewIntervalDays);
    const { set, before, after } = fieldChanges(row, current, next);
    if (Object.keys(set).length === 0) return { result: current, events: [] };
    set.updated_at = isoTime(now);
    await deps.agents.update(trx, id, set);
    return {
      result: agentFromRow({ ...row, ...set }, now, deps.settings.reviewIntervalDays),
      events: [agentEvent('agent.updated', 'update', actor, id, { changed: Object.keys(after), before, after })],
    };
  });
}
