import { sql } from 'kysely';
import type { Dialect, Executor } from '../storage/index.js';
import { leaseTables, type LeaseRow } from './tables.js';

/** The lease manager's SQL, and the only place it is written. Times are ISO text (they compare as text). */

export const UNREVOKED = ['active', 'revoking'] as const;

export async function insertLease(db: Executor, row: LeaseRow): Promise<void> {
  await leaseTables(db).insertInto('leases').values(row).execute();
}

/** `lockOn` = the dialect when the row is read for a write: PostgreSQL locks it; SQLite's transactions are serial already. */
export async function leaseById(db: Executor, id: string, lockOn?: Dialect): Promise<LeaseRow | undefined> {
  let query = leaseTables(db).selectFrom('leases').selectAll().where('id', '=', id);
  if (lockOn === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function updateLease(db: Executor, id: string, set: Partial<LeaseRow>, fromStatus?: string): Promise<boolean> {
  let query = leaseTables(db).updateTable('leases').set(set).where('id', '=', id);
  if (fromStatus) query = query.where('status', '=', fromStatus);
  return Number((await query.executeTakeFirst()).numUpdatedRows) > 0;
}

/** Unrevoked leases due at `at` (active ones past expiry, revoking ones whose retry is due), oldest first. */
export async function dueLeases(db: Executor, at: string, limit: number): Promise<LeaseRow[]> {
  return leaseTables(db)
    .selectFrom('leases')
    .selectAll()
    .where('status', 'in', [...UNREVOKED])
    .where('next_attempt_at', '<=', at)
    .orderBy('next_attempt_at', 'asc')
    .limit(limit)
    .execute();
}

export interface LeaseSelector {
  agentId?: string | undefined;
  taskId?: string | undefined;
  /** Leases whose path starts with this. */
  prefix?: string | undefined;
  id?: string | undefined;
}

/** Marks the selected active leases `revoking`, due now; returns their ids. */
export async function markRevoking(db: Executor, selector: LeaseSelector, at: string, reason: string): Promise<string[]> {
  const ids = (await selectLeases(db, selector, ['active'], 100_000)).map((row) => row.id);
  if (ids.length === 0) return [];
  await leaseTables(db).updateTable('leases').set({ status: 'revoking', next_attempt_at: at, revoke_reason: reason }).where('id', 'in', ids).execute();
  return ids;
}

export async function selectLeases(db: Executor, selector: LeaseSelector, statuses: readonly string[], limit: number): Promise<LeaseRow[]> {
  let query = leaseTables(db).selectFrom('leases').selectAll().where('status', 'in', [...statuses]).orderBy('issued_at', 'desc').orderBy('id').limit(limit);
  if (selector.id !== undefined) query = query.where('id', '=', selector.id);
  if (selector.agentId !== undefined) query = query.where('agent_id', '=', selector.agentId);
  if (selector.taskId !== undefined) query = query.where('task_id', '=', selector.taskId);
  // substr, not LIKE: SQLite's LIKE ignores case and both treat % and _ as wildcards.
  if (selector.prefix) query = query.where(sql<string>`substr(path, 1, ${selector.prefix.length})`, '=', selector.prefix);
  return query.execute();
}

/** Live (not yet revoked) leases: one agent's when `agentId` is given, else all of them. */
export async function countLive(db: Executor, agentId?: string): Promise<number> {
  let query = leaseTables(db)
    .selectFrom('leases')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', 'in', [...UNREVOKED]);
  if (agentId !== undefined) query = query.where('agent_id', '=', agentId);
  const { n } = await query.executeTakeFirstOrThrow();
  return Number(n);
}
