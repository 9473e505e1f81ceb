import { isoTime } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import { MAX_VERSIONS_PER_CALL, type SecretActor, type SecretDeps } from './deps.js';
import { checkPath, SecretNotFoundError } from './errors.js';
import { secretEvent } from './events.js';
import { secretByPath, updateVersions, versionsOf } from './store.js';

export type DeleteMode = 'delete' | 'undelete' | 'destroy';

/** Each mode's audit event type. */
const EVENTS: Record<DeleteMode, string> = { delete: 'secret.deleted', undelete: 'secret.undeleted', destroy: 'secret.destroyed' };

/**
 * Soft delete (the value stays, not served), undelete, or destroy (the ciphertext is erased
 * for good) of some versions of a secret; the newest when none are named. Returns the
 * versions changed. Unknown versions are a 404 naming them: nothing is half-applied.
 */
export async function changeVersions(deps: SecretDeps, path: string, mode: DeleteMode, actor: SecretActor, versions?: readonly number[]): Promise<number[]> {
  checkPath(path);
  if (versions && (versions.length === 0 || versions.length > MAX_VERSIONS_PER_CALL)) {
    throw new ValidationError(`versions: name 1-${MAX_VERSIONS_PER_CALL} versions`, { field: 'versions' });
  }
  return deps.audit.withEntry(async (trx) => {
    const row = await secretByPath(trx, path, deps.store.dialect);
    if (!row || row.current_version === 0) throw new SecretNotFoundError(path);
    const wanted = [...new Set(versions ?? [row.current_version])];
    const existing = new Map((await versionsOf(trx, path)).map((v) => [v.version, v]));
    const missing = wanted.find((v) => !existing.has(v));
    if (missing !== undefined) throw new SecretNotFoundError(path, missing);
    const live = wanted.filter((v) => !existing.get(v)!.destroyed_at);
    const at = isoTime(deps.clock.now());
    const set = mode === 'delete' ? { deleted_at: at } : mode === 'undelete' ? { deleted_at: null } : { ciphertext: null, destroyed_at: at };
    await updateVersions(trx, path, live, set);
    return { result: live, events: [secretEvent(EVENTS[mode], mode, actor, path, { versions: live })] };
  });
}
