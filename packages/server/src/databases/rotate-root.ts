import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { rootUrl } from './connection.js';
import { newPassword } from './credentials.js';
import { urlContext, type DatabaseDeps } from './deps.js';
import { TargetDatabaseError } from './errors.js';
import { dropPending, promotePending, settlePendingRoot, storePending } from './pending-root.js';
import { allConnections } from './store.js';

/** Where a test stops a rotation, as a crash would: after the new URL is stored, or after the target took it. */
export type RotationStep = 'pending_stored' | 'target_changed';

/**
 * Rotates a connection's root password so that only Mandate knows it, in three steps a crash
 * can interrupt anywhere: (1) the new URL is stored, sealed, as pending; (2) the target's
 * password is changed; (3) the pending URL becomes the connection's URL, with its audit entry.
 * A crash after (2) leaves the new password in the store, not only in the target:
 * `settlePendingRoot` finds out which one the target holds and completes or drops the rotation.
 * A refused ALTER ROLE drops the pending URL. Pools are rebuilt with the new URL.
 */
export async function rotateRoot(deps: DatabaseDeps, name: string, actor: Actor, stopAfter?: (step: RotationStep) => void): Promise<{ rotatedAt: string }> {
  // (A rotation a crash left is settled by rootUrl first.)
  const { row, url } = await rootUrl(deps, name);
  const password = newPassword();
  const next = new URL(url);
  next.password = password;
  const sealed = deps.envelope.encrypt(next.toString(), urlContext(name));
  await storePending(deps, name, sealed);
  stopAfter?.('pending_stored');
  try {
    // Mandate's own password ([a-z0-9]); the user name is quoted as an identifier. Run where
    // role changes run, one at a time per connection (targets.ts `exclusive`).
    await deps.targets.exclusive(name, () => deps.targets.query(name, url, `ALTER ROLE "${row.username.replace(/"/g, '""')}" WITH PASSWORD '${password}'`));
  } catch (error) {
    // Refused by the server (a SQLSTATE): nothing changed there. Lost on the way (the answer
    // never came): the change may have happened, so the pending URL stays for settlePendingRoot.
    if (typeof (error as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((error as { code: string }).code)) await dropPending(deps, name, sealed);
    throw new TargetDatabaseError(name, error);
  }
  stopAfter?.('target_changed');
  const at = isoTime(deps.clock.now());
  // The target holds this password now, whatever became of the pending URL meanwhile.
  await promotePending(deps, name, sealed, at, { type: 'db.root.rotated', actor, subject: name, action: 'rotate', outcome: 'success', details: { connection: name, username: row.username } }, true);
  return { rotatedAt: at };
}

/** The rotation job's run: rotations a crash left are settled, then every connection whose period has passed gets a new root password. */
export async function rotateDueRoots(deps: DatabaseDeps, actor: Actor): Promise<string[]> {
  const now = deps.clock.now();
  const rows = await allConnections(deps.store.db);
  const due = rows.filter((row) => row.rotation_period_seconds > 0 && Date.parse(row.root_rotated_at ?? row.created_at) + row.rotation_period_seconds * 1000 <= now);
  const rotated: string[] = [];
  for (const row of rows) {
    try {
      if (due.includes(row)) {
        await rotateRoot(deps, row.name, actor);
        rotated.push(row.name);
      } else if (row.pending_sealed_url !== null) {
        await settlePendingRoot(deps, row.name);
      }
    } catch (error) {
      deps.logger.error({ connection: row.name, err: error }, 'scheduled root rotation failed; retried at the next check');
    }
  }
  return rotated;
}
