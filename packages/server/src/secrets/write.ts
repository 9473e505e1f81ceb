import { isoTime } from '../shared/clock.js';
import { PayloadTooLargeError, ValidationError } from '../shared/errors.js';
import { encryptValue, newDataKey, withDataKey } from './cipher.js';
import type { SecretActor, SecretDeps } from './deps.js';
import { CasMismatchError, checkPath } from './errors.js';
import { secretEvent } from './events.js';
import { dropVersionsBefore, insertSecret, insertVersion, secretByPath, updateSecret } from './store.js';
import type { SecretData } from './types.js';
import type { DataClassification } from '../registry/index.js';

export interface WriteOptions {
  /** Check-and-set: the write succeeds only when this is the current version (0: only if the path is new). */
  cas?: number | undefined;
  /** The secret's data classification; kept when absent (new paths: `restricted`, as credentials are). */
  classification?: DataClassification | undefined;
}

/** What a secret is unless its writer says otherwise: credentials are restricted data. */
export const DEFAULT_CLASSIFICATION: DataClassification = 'restricted';

/**
 * Writes a new version of a secret. A path's first write creates its data key; later writes
 * reuse it. Beyond `versionsKept`, the oldest versions are removed with the write. The row
 * lock (PostgreSQL) or the serial transaction (SQLite) makes check-and-set exact under races.
 */
export async function writeSecret(deps: SecretDeps, path: string, data: SecretData, actor: SecretActor, options: WriteOptions = {}): Promise<{ version: number; createdAt: string }> {
  checkPath(path);
  const text = JSON.stringify(data);
  if (Buffer.byteLength(text, 'utf8') > deps.settings.valueMaxBytes) throw new PayloadTooLargeError(deps.settings.valueMaxBytes);
  if (options.cas !== undefined && (!Number.isInteger(options.cas) || options.cas < 0)) throw new ValidationError('cas must be a version number (0: only when the path is new)', { field: 'cas' });
  return deps.audit.withEntry(async (trx) => {
    const at = isoTime(deps.clock.now());
    let row = await secretByPath(trx, path, deps.store.dialect);
    const current = row?.current_version ?? 0;
    if (options.cas !== undefined && options.cas !== current) throw new CasMismatchError(path, options.cas, current);
    if (!row) {
      row = { path, wrapped_key: newDataKey(deps.envelope, path), classification: options.classification ?? DEFAULT_CLASSIFICATION, current_version: 0, max_versions: deps.settings.versionsKept, created_at: at, updated_at: at };
      await insertSecret(trx, row);
    }
    const version = current + 1;
    const ciphertext = withDataKey(deps.envelope, path, row.wrapped_key, (key) => encryptValue(key, path, version, text));
    await insertVersion(trx, { path, version, ciphertext, created_at: at, deleted_at: null, destroyed_at: null });
    await updateSecret(trx, path, { current_version: version, updated_at: at, ...(options.classification ? { classification: options.classification } : {}) });
    await dropVersionsBefore(trx, path, version - row.max_versions + 1);
    return { result: { version, createdAt: at }, events: [secretEvent('secret.written', 'write', actor, path, { version, keys: Object.keys(data).length })] };
  });
}
