import type { AuditEvent } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { SYSTEM, urlContext, type DatabaseDeps } from './deps.js';
import { TargetDatabaseError } from './errors.js';
import { connectionByName } from './store.js';
import { databaseTables } from './tables.js';

/**
 * A pending URL younger than this may belong to a rotation under way (stored, the ALTER ROLE not
 * yet run): it is not dropped as never applied until it is older.
 */
const ROTATION_GRACE_MS = 60_000;

/** Step (1) of a rotation (rotate-root.ts): the new URL, sealed, stored as pending. */
export async function storePending(deps: DatabaseDeps, name: string, sealed: string): Promise<void> {
  await databaseTables(deps.store.db).updateTable('db_connections').set({ pending_sealed_url: sealed, pending_since: isoTime(deps.clock.now()) }).where('name', '=', name).execute();
}

/**
 * Completes or drops a rotation a crash interrupted (a pending URL is stored): when the pending
 * URL logs in, the target took the new password and it becomes the connection's URL (audited
 * `db.root.rotation_recovered`); when the current one does, the change never reached the target
 * and the pending URL is dropped. With the target unreachable both stay, and the caller's
 * operation fails as it would have anyway. Runs before every use of the root URL that finds a
 * pending one, and in the rotation job.
 */
export async function settlePendingRoot(deps: DatabaseDeps, name: string): Promise<void> {
  const row = await connectionByName(deps.store.db, name);
  if (!row?.pending_sealed_url) return;
  const pending = row.pending_sealed_url;
  try {
    if (await deps.targets.logsIn(deps.envelope.decryptText(pending, urlContext(name)))) {
      const at = isoTime(deps.clock.now());
      await promotePending(deps, name, pending, at, { type: 'db.root.rotation_recovered', actor: SYSTEM, subject: name, action: 'rotate', outcome: 'success', details: { connection: name, username: row.username } });
    } else if (deps.clock.now() - Date.parse(row.pending_since ?? row.updated_at) >= ROTATION_GRACE_MS && (await deps.targets.logsIn(deps.envelope.decryptText(row.sealed_url, urlContext(name))))) {
      await dropPending(deps, name, pending);
    }
  } catch (error) {
    throw new TargetDatabaseError(name, error);
  }
}

/**
 * The pending URL becomes the connection's, with `event`. A settle promotes only while the URL
 * is still pending (another settle may have got there first: then nothing is written); the
 * rotation that changed the target (`known`) promotes it in any case.
 */
export async function promotePending(deps: DatabaseDeps, name: string, pending: string, at: string, event: AuditEvent, known = false): Promise<void> {
  await deps.audit.withEntry(async (trx) => {
    let update = databaseTables(trx).updateTable('db_connections').set({ sealed_url: pending, pending_sealed_url: null, pending_since: null, root_rotated_at: at, updated_at: at }).where('name', '=', name);
    if (!known) update = update.where('pending_sealed_url', '=', pending);
    const changed = await update.executeTakeFirst();
    return { result: null, events: changed.numUpdatedRows > 0n ? [event] : [] };
  });
  deps.targets.forget(name);
}

/** Drops the pending URL when it is still `pending`. */
export async function dropPending(deps: DatabaseDeps, name: string, pending: string): Promise<void> {
  await databaseTables(deps.store.db).updateTable('db_connections').set({ pending_sealed_url: null, pending_since: null }).where('name', '=', name).where('pending_sealed_url', '=', pending).execute();
}

