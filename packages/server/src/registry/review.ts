import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError } from '../shared/errors.js';
import { lockForChange } from './access.js';
import type { RegistryDeps } from './deps.js';
import { actorLabel, agentEvent, agentFromRow } from './record.js';
import { checkOptionalText, FIELD_LIMITS } from './rules.js';
import type { AgentRow } from './tables.js';
import type { AccessScope, Agent } from './types.js';

/** Records a review (when, by whom, notes); the next one falls due registry.reviewIntervalDays later. */
export async function reviewAgent(deps: RegistryDeps, id: string, notes: string | null | undefined, actor: Actor, access: AccessScope): Promise<Agent> {
  const text = checkOptionalText('notes', notes, FIELD_LIMITS.reviewNotes.maxLength);
  return deps.audit.withEntry(async (trx) => {
    const row = await lockForChange(deps.agents, trx, id, access);
    if (row.status === 'decommissioned') throw new ConflictError(`agent '${id}' is decommissioned; there is nothing left to review`, { status: row.status });
    const now = deps.clock.now();
    const at = isoTime(now);
    const set: Partial<AgentRow> = { last_reviewed_at: at, last_reviewed_by: actorLabel(actor), last_review_notes: text, updated_at: at };
    await deps.agents.update(trx, id, set);
    const agent = agentFromRow({ ...row, ...set }, now, deps.settings.reviewIntervalDays);
    return {
      result: agent,
      events: [agentEvent('agent.reviewed', 'review', actor, id, { notes: text, previous_review_at: row.last_reviewed_at, next_review_due_at: agent.reviewDueAt })],
    };
  });
}
