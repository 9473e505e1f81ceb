import type { Executor } from '../storage/index.js';
import { taskTables, type TaskRow } from './tables.js';

/** The tasks context's SQL, and the only place it is written. */

export async function insertTask(db: Executor, row: TaskRow): Promise<void> {
  await taskTables(db).insertInto('tasks').values(row).execute();
}

export async function taskById(db: Executor, id: string): Promise<TaskRow | undefined> {
  return taskTables(db).selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Closes an open task; false when it was not open any more (someone closed it first). */
export async function closeTask(db: Executor, id: string, status: string, at: string): Promise<boolean> {
  const result = await taskTables(db).updateTable('tasks').set({ status, closed_at: at }).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function openTasksOf(db: Executor, agentId: string): Promise<TaskRow[]> {
  return taskTables(db).selectFrom('tasks').selectAll().where('agent_id', '=', agentId).where('status', '=', 'open').execute();
}

export async function countOpen(db: Executor, agentId: string): Promise<number> {
  const { n } = await taskTables(db).selectFrom('tasks').select((eb) => eb.fn.countAll().as('n')).where('agent_id', '=', agentId).where('status', '=', 'open').executeTakeFirstOrThrow();
  return Number(n);
}

export async function expiredOpen(db: Executor, at: string, limit: number): Promise<TaskRow[]> {
  return taskTables(db).selectFrom('tasks').selectAll().where('status', '=', 'open').where('expires_at', '<=', at).orderBy('expires_at').limit(limit).execute();
}
