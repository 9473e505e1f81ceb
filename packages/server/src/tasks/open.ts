import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { RateLimitedError, ValidationError } from '../shared/errors.js';
import { randomId } from '../shared/ids.js';
import { DESCRIPTION_MAX, MAX_OPEN_PER_AGENT, type TaskDeps } from './deps.js';
import { countOpen, insertTask } from './store.js';
import type { TaskRow } from './tables.js';
import type { Task } from './types.js';
import { taskFromRow } from './view.js';

/** Opens a task for an agent; it closes by itself after its TTL (default 1 h). */
export async function openTask(deps: TaskDeps, agentId: string, options: { ttlSeconds?: number | undefined; description?: string | undefined }, actor: Actor): Promise<Task> {
  const ttl = options.ttlSeconds ?? deps.settings.defaultTtlSeconds;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > deps.settings.maxTtlSeconds) throw new ValidationError(`ttl_seconds must be 1-${deps.settings.maxTtlSeconds}`, { field: 'ttl_seconds' });
  if (options.description !== undefined && options.description.length > DESCRIPTION_MAX) throw new ValidationError(`description is at most ${DESCRIPTION_MAX} characters`, { field: 'description' });
  if ((await countOpen(deps.store.db, agentId)) >= MAX_OPEN_PER_AGENT) {
    const error = new RateLimitedError(60);
    error.message = `this agent already has ${MAX_OPEN_PER_AGENT} open tasks; complete some first`;
    throw error;
  }
  const now = deps.clock.now();
  const row: TaskRow = { id: randomId('task'), agent_id: agentId, description: options.description ?? null, status: 'open', created_at: isoTime(now), expires_at: isoTime(now + ttl * 1000), closed_at: null };
  await deps.audit.withEntry(async (trx) => {
    await insertTask(trx, row);
    return { result: null, events: [{ type: 'task.opened', actor, subject: row.id, agentId, action: 'open', outcome: 'success', details: { task_id: row.id, expires_at: row.expires_at } }] };
  });
  return taskFromRow(row);
}
