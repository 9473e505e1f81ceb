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

/** How long a just-stopped server's sessions may take to leave pg_stat_activity. */
const CLOSING_SESSIONS_GRACE_MS = 3_000;
const RECHECK_EVERY_MS = 100;

/**
 * PostgreSQL: other client sessions connected to the same database (autovacuum and other
 * background workers do not count). A server stopped a moment ago may still be listed while its
 * backends exit, so a non-zero count is looked at again for up to three seconds: a running
 * replica's sessions stay, a closing server's go.
 */
export async function postgresInUse(db: Executor, graceMs = CLOSING_SESSIONS_GRACE_MS): Promise<string | null> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const { rows } = await sql<{ sessions: number }>`SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`.execute(db);
    const sessions = rows[0]?.sessions ?? 0;
    if (sessions === 0) return null;
    if (Date.now() >= deadline) return `${sessions} other session(s) are connected to this database: a Mandate replica (or another client) is using it`;
    await new Promise((resolve) => setTimeout(resolve, RECHECK_EVERY_MS));
  }
}
