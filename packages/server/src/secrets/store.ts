import { sql } from 'kysely';
import type { Dialect, Executor } from '../storage/index.js';
import { secretTables, type SecretRow, type SecretVersionRow } from './tables.js';

/**
 * The secret store's SQL, and the only place it is written. Use cases pass the executor: the
 * database, or the transaction their audit entry commits in.
 */

/** `lockOn` = the dialect when the row is read for a write: PostgreSQL locks it; SQLite's transactions are serial already. */
export async function secretByPath(db: Executor, path: string, lockOn?: Dialect): Promise<SecretRow | undefined> {
  let query = secretTables(db).selectFrom('secrets').selectAll().where('path', '=', path);
  if (lockOn === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function insertSecret(db: Executor, row: SecretRow): Promise<void> {
  await secretTables(db).insertInto('secrets').values(row).execute();
}

export async function updateSecret(db: Executor, path: string, set: Partial<SecretRow>): Promise<void> {
  await secretTables(db).updateTable('secrets').set(set).where('path', '=', path).execute();
}

export async function insertVersion(db: Executor, row: SecretVersionRow): Promise<void> {
  await secretTables(db).insertInto('secret_versions').values(row).execute();
}

export async function versionOf(db: Executor, path: string, version: number): Promise<SecretVersionRow | undefined> {
  return secretTables(db).selectFrom('secret_versions').selectAll().where('path', '=', path).where('version', '=', version).executeTakeFirst();
}

export async function versionsOf(db: Executor, path: string): Promise<SecretVersionRow[]> {
  return secretTables(db).selectFrom('secret_versions').selectAll().where('path', '=', path).orderBy('version', 'asc').execute();
}

export async function updateVersions(db: Executor, path: string, versions: readonly number[], set: Partial<SecretVersionRow>): Promise<number> {
  if (versions.length === 0) return 0;
  const result = await secretTables(db).updateTable('secret_versions').set(set).where('path', '=', path).where('version', 'in', [...versions]).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Removes versions older than `keepFrom` entirely (beyond max_versions). */
export async function dropVersionsBefore(db: Executor, path: string, keepFrom: number): Promise<void> {
  await secretTables(db).deleteFrom('secret_versions').where('path', '=', path).where('version', '<', keepFrom).execute();
}

/** Paths under a prefix, in order, at most `limit` after `after`. */
export async function listPaths(db: Executor, prefix: string, after: string | undefined, limit: number): Promise<SecretRow[]> {
  let query = secretTables(db).selectFrom('secrets').selectAll().orderBy('path', 'asc').limit(limit);
  // substr, not LIKE: SQLite's LIKE ignores case and both treat % and _ as wildcards.
  if (prefix) query = query.where(sql<string>`substr(path, 1, ${prefix.length})`, '=', prefix);
  if (after !== undefined) query = query.where('path', '>', after);
  return query.execute();
}

export async function allSecrets(db: Executor): Promise<SecretRow[]> {
  return secretTables(db).selectFrom('secrets').selectAll().execute();
}
