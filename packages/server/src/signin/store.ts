import type { Executor } from '../storage/index.js';
import { signinTables, type SessionRow, type StateRow } from './tables.js';

/** The signin context's SQL, and the only place it is written. */

export async function insertSession(db: Executor, row: SessionRow): Promise<void> {
  await signinTables(db).insertInto('signin_sessions').values(row).execute();
}

export async function sessionByTokenHash(db: Executor, tokenHash: string): Promise<SessionRow | undefined> {
  return signinTables(db).selectFrom('signin_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function sessionById(db: Executor, id: string): Promise<SessionRow | undefined> {
  return signinTables(db).selectFrom('signin_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchSession(db: Executor, id: string, at: string): Promise<void> {
  await signinTables(db).updateTable('signin_sessions').set({ last_seen_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Ends a live session; false when it had already ended (exactly one of concurrent revocations wins). */
export async function revokeSession(db: Executor, id: string, at: string, reason: string): Promise<boolean> {
  const result = await signinTables(db)
    .updateTable('signin_sessions')
    .set({ revoked_at: at, revoked_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Sessions not revoked whose absolute end is after `at`, newest first (the idle end is checked by
 * the caller); only `holder`'s when given.
 */
export async function liveSessions(db: Executor, at: string, limit: number, holder?: SessionHolder): Promise<SessionRow[]> {
  let query = signinTables(db).selectFrom('signin_sessions').selectAll().where('revoked_at', 'is', null).where('expires_at', '>', at);
  if (holder) query = query.where('kind', '=', holder.kind).where('principal_id', '=', holder.principalId);
  return query.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
}

/** Whose sessions: an operator's or a person's, by id. */
export interface SessionHolder {
  kind: 'operator' | 'person';
  principalId: string;
}

/** Deletes sessions that ended (absolutely, or revoked) before `before`; how many. */
export async function deleteEndedSessions(db: Executor, before: string): Promise<number> {
  const result = await signinTables(db)
    .deleteFrom('signin_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function insertState(db: Executor, row: StateRow): Promise<void> {
  await signinTables(db).insertInto('signin_states').values(row).execute();
}

export async function stateById(db: Executor, id: string): Promise<StateRow | undefined> {
  return signinTables(db).selectFrom('signin_states').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks a state used; false when it already was (a replayed callback: exactly one use wins). */
export async function useState(db: Executor, id: string, at: string): Promise<boolean> {
  const result = await signinTables(db).updateTable('signin_states').set({ used_at: at }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteOldStates(db: Executor, before: string): Promise<number> {
  const result = await signinTables(db).deleteFrom('signin_states').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
