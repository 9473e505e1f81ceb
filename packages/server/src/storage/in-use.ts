import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Executor } from './database.js';

/*
 * Why the store looks open by another process, or null: for offline maintenance (`mandate
 * server rekey`), which must not run beside a server. A heuristic, not a lock: a crashed server
 * leaves a WAL file too, and a server on another host using the same SQLite file cannot be seen.
 */

/** SQLite, checked BEFORE opening it: the WAL file exists while any connection is open (the last clean close removes it). */
export function sqliteInUse(dataDir: string): string | null {
  const wal = join(dataDir, 'mandate.db-wal');
  return existsSync(wal) ? `${wal} exists: a server (or another process) has this store open, or one crashed (start and stop it once)` : null;
}

/** PostgreSQL: other sessions connected to the same database. */
export async function postgresInUse(db: Executor): Promise<string | null> {
  const { rows } = await sql<{ sessions: number }>`SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`.execute(db);
  const sessions = rows[0]?.sessions ?? 0;
  return sessions > 0 ? `${sessions} other session(s) are connected to this database: a Mandate replica (or another client) is using it` : null;
}
