import type { Updateable } from 'kysely';
import type { Executor } from '../storage/index.js';
import { EXPIRABLE } from './states.js';
import type { ApprovalStatus } from './types.js';
import { approvalTables, type ApprovalRow } from './tables.js';

/**
 * The approvals context's SQL, and the only place it is written: the use cases (create.ts,
 * decide.ts, consume.ts, expire.ts, wait.ts, read.ts, list.ts) say what they need in domain
 * terms and pass the executor, the database or the transaction their audit entry commits in.
 * Times are the ISO text the rows store (they compare as text on both dialects).
 */

export async function rowById(db: Executor, id: string): Promise<ApprovalRow | undefined> {
  return approvalTables(db).selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertRow(db: Executor, row: ApprovalRow): Promise<void> {
  await approvalTables(db).insertInto('approvals').values(row).execute();
}

/** How many of the agent's requests are still pending at `at`. */
export async function countPending(db: Executor, agentId: string, at: string): Promise<number> {
  const { n } = await approvalTables(db)
    .selectFrom('approvals')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('agent_id', '=', agentId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', at)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** How many requests of all agents are still pending at `at` (the approvals-pending gauge). */
export async function countAllPending(db: Executor, at: string): Promise<number> {
  const { n } = await approvalTables(db)
    .selectFrom('approvals')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'pending')
    .where('expires_at', '>', at)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** The agent's newest request with this binding that is still pending at `at`. */
export async function newestPending(db: Executor, agentId: string, bindingHash: string, at: string): Promise<ApprovalRow | undefined> {
  return approvalTables(db)
    .selectFrom('approvals')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('binding_hash', '=', bindingHash)
    .where('status', '=', 'pending')
    .where('expires_at', '>', at)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** What a page of the queue asks for; `status` is the status as of `at` (expiry applied). */
export interface RowQuery {
  agentId?: string | undefined;
  onBehalfOf?: string | undefined;
  status?: ApprovalStatus | undefined;
  /** Rows strictly after this `[created_at, id]` (keyset paging). */
  after?: readonly [string, string] | undefined;
  at: string;
  limit: number;
}

/** Oldest first, by (created_at, id). */
export async function listRows(db: Executor, query: RowQuery): Promise<ApprovalRow[]> {
  let select = approvalTables(db).selectFrom('approvals').selectAll();
  if (query.agentId !== undefined) select = select.where('agent_id', '=', query.agentId);
  if (query.onBehalfOf !== undefined) select = select.where('on_behalf_of', '=', query.onBehalfOf);
  const { status, at } = query;
  if (status === 'pending' || status === 'approved') {
    select = select.where('status', '=', status).where('expires_at', '>', at);
  } else if (status === 'expired') {
    select = select.where((eb) => eb.or([eb('status', '=', 'expired'), eb.and([eb('status', 'in', [...EXPIRABLE]), eb('expires_at', '<=', at)])]));
  } else if (status !== undefined) {
    select = select.where('status', '=', status);
  }
  if (query.after !== undefined) {
    const [createdAt, id] = query.after;
    select = select.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
  }
  return select.orderBy('created_at').orderBy('id').limit(query.limit).execute();
}

/** Pending rows made before `before` whose webhook delivery never finished (notified_at null), oldest first. */
export async function unnotifiedRows(db: Executor, before: string, at: string, limit: number): Promise<ApprovalRow[]> {
  return approvalTables(db)
    .selectFrom('approvals')
    .selectAll()
    .where('status', '=', 'pending')
    .where('notified_at', 'is', null)
    .where('created_at', '<', before)
    .where('expires_at', '>', at)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Records that the webhook's delivery of a request finished (delivered or given up). */
export async function markNotified(db: Executor, id: string, at: string): Promise<void> {
  await approvalTables(db).updateTable('approvals').set({ notified_at: at }).where('id', '=', id).execute();
}

/** Pending or approved rows whose expiry has come by `at`, the most overdue first. */
export async function overdueRows(db: Executor, at: string, limit: number): Promise<ApprovalRow[]> {
  return approvalTables(db)
    .selectFrom('approvals')
    .selectAll()
    .where('status', 'in', [...EXPIRABLE])
    .where('expires_at', '<=', at)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}

/** Of `ids`, those no longer pending at `at` (decided, used, or past their expiry). */
export async function settledIds(db: Executor, ids: readonly string[], at: string): Promise<string[]> {
  const rows = await approvalTables(db)
    .selectFrom('approvals')
    .select('id')
    .where('id', 'in', [...ids])
    .where((eb) => eb.or([eb('status', '!=', 'pending'), eb('expires_at', '<=', at)]))
    .execute();
  return rows.map((row) => row.id);
}

/**
 * What a status move requires of the row as it is now: one of `status`, the `version` that was
 * read (optimistic locking), and the expiry still ahead of (`live`) or already reached by
 * (`due`) the given time. The guard is what makes each move happen once across callers and
 * replicas.
 */
export interface RowGuard {
  status: readonly ApprovalStatus[];
  version?: number | undefined;
  expiry: { live: string } | { due: string };
}

/** Updates the row (bumping its version) if it still matches `guard`; false when it does not. */
export async function updateRow(db: Executor, row: ApprovalRow, set: Updateable<ApprovalRow>, guard: RowGuard): Promise<boolean> {
  let update = approvalTables(db)
    .updateTable('approvals')
    .set({ ...set, version: row.version + 1 })
    .where('id', '=', row.id);
  update = guard.status.length === 1 ? update.where('status', '=', guard.status[0]!) : update.where('status', 'in', [...guard.status]);
  if (guard.version !== undefined) update = update.where('version', '=', guard.version);
  update = 'live' in guard.expiry ? update.where('expires_at', '>', guard.expiry.live) : update.where('expires_at', '<=', guard.expiry.due);
  const updated = await update.executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}
