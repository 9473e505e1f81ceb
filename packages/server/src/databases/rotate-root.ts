import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { rootUrl } from './connection.js';
import { newPassword } from './credentials.js';
import { urlContext, type DatabaseDeps } from './deps.js';
import { TargetDatabaseError } from './errors.js';
import { allConnections, updateConnection } from './store.js';

/**
 * Rotates a connection's root password so that only Mandate knows it: a new random password
 * is stored (sealed) and set on the target inside one transaction of Mandate's store, so a
 * refused ALTER ROLE stores nothing. Pools are rebuilt with the new URL.
 */
export async function rotateRoot(deps: DatabaseDeps, name: string, actor: Actor): Promise<{ rotatedAt: string }> {
  const { row, url } = await rootUrl(deps, name);
  const password = newPassword();
  const next = new URL(url);
  next.password = password;
  const at = isoTime(deps.clock.now());
  await deps.audit.withEntry(async (trx) => {
    await updateConnection(trx, name, { sealed_url: deps.envelope.encrypt(next.toString(), urlContext(name)), root_rotated_at: at, updated_at: at });
    try {
      // Mandate's own password ([a-z0-9]); the user name is quoted as an identifier.
      await deps.targets.query(name, url, `ALTER ROLE "${row.username.replace(/"/g, '""')}" WITH PASSWORD '${password}'`);
    } catch (error) {
      throw new TargetDatabaseError(name, error);
    }
    return { result: null, events: [{ type: 'db.root.rotated', actor, subject: name, action: 'rotate', outcome: 'success', details: { connection: name, username: row.username } }] };
  });
  deps.targets.forget(name);
  return { rotatedAt: at };
}

/** The rotation job's run: every connection whose period has passed gets a new root password. */
export async function rotateDueRoots(deps: DatabaseDeps, actor: Actor): Promise<string[]> {
  const now = deps.clock.now();
  const due = (await allConnections(deps.store.db)).filter(
    (row) => row.rotation_period_seconds > 0 && Date.parse(row.root_rotated_at ?? row.created_at) + row.rotation_period_seconds * 1000 <= now,
  );
  const rotated: string[] = [];
  for (const row of due) {
    try {
      await rotateRoot(deps, row.name, actor);
      rotated.push(row.name);
    } catch (error) {
      deps.logger.error({ connection: row.name, err: error }, 'scheduled root rotation failed; retried at the next check');
    }
  }
  return rotated;
}
