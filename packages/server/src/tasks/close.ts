import type { Actor, AuditEvent } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError } from '../shared/errors.js';
import type { RevokedCredential } from '../shared/revoked.js';
import type { Tx } from '../storage/index.js';
import type { TaskDeps } from './deps.js';
import { closeTask as closeRow } from './store.js';
import type { TaskRow } from './tables.js';
import type { ClosedTask, Task, TaskStatus } from './types.js';
import { taskFromRow } from './view.js';

/**
 * Closes a task inside `trx`: the row moves from open to `status`, its leases are marked for
 * revocation (lease manager) and every close hook takes back what its context issued for it
 * (tokens, certificates). Returns the audit events to commit and the lease ids to revoke once
 * committed. A task no longer open is a 409.
 */
export async function closeTaskIn(deps: TaskDeps, trx: Tx, row: TaskRow, status: Exclude<TaskStatus, 'open'>, actor: Actor): Promise<{ task: Task; events: AuditEvent[]; leaseIds: string[]; revoked: RevokedCredential[] }> {
  const at = isoTime(deps.clock.now());
  if (!(await closeRow(trx, row.id, status, at))) throw new ConflictError(`task '${row.id}' is not open`, { task_id: row.id });
  const task = taskFromRow({ ...row, status, closed_at: at });
  const marked = await deps.leases.markIn(trx, { taskId: row.id }, `task ${status}`, actor);
  const events: AuditEvent[] = [{ type: `task.${status}`, actor, subject: row.id, agentId: row.agent_id, action: 'close', outcome: 'success', details: { task_id: row.id, leases: marked.ids } }, ...marked.events];
  const revoked: RevokedCredential[] = marked.ids.map((id) => ({ kind: 'lease', id }));
  for (const hook of deps.closeHooks) {
    const contribution = await hook(trx, task);
    events.push(...contribution.events);
    revoked.push(...contribution.revoked);
  }
  return { task, events, leaseIds: marked.ids, revoked };
}

/** Closes one task in its own transaction, then revokes its leases at once. */
export async function closeTask(deps: TaskDeps, row: TaskRow, status: Exclude<TaskStatus, 'open'>, actor: Actor): Promise<ClosedTask> {
  const closed = await deps.audit.withEntry(async (trx) => {
    const result = await closeTaskIn(deps, trx, row, status, actor);
    return { result, events: result.events };
  });
  await deps.leases.revokeMarked(closed.leaseIds, actor);
  return { task: closed.task, revoked: closed.revoked };
}
