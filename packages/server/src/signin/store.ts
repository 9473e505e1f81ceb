import type { Executor } from '../storage/index.js';
import { signinTables, type SessionRow } from './tables.js';

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

/** Sessions not revoked whose absolute end is after `at`, newest first (the idle end is checked by the caller). */
export async function liveSessions(db: Executor, at: string, limit: number): Promise<SessionRow[]> {
  return signinTables(db)
    .selectFrom('signin_sessions')
    .selectAll()
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', at)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Deletes sessions that ended (absolutely, or revoked) before `before`; how many. */
export async function deleteEndedSessions(db: Executor, before: string): Promise<number> {
  const result = await signinTables(db)
    .deleteFrom('signin_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
