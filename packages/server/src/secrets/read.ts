import { withDataKey, decryptValue } from './cipher.js';
import type { SecretActor, SecretDeps } from './deps.js';
import { checkPath, SecretNotFoundError } from './errors.js';
import { secretEvent } from './events.js';
import { secretByPath, versionOf } from './store.js';
import type { SecretData, SecretVersion } from './types.js';

/**
 * Reads one version of a secret (the newest by default). The read is audited (path and
 * version, never the value) before the value is returned: a read whose entry cannot be written
 * returns nothing. Deleted and destroyed versions answer 404 saying so.
 */
export async function readSecret(deps: SecretDeps, path: string, actor: SecretActor, version?: number): Promise<SecretVersion> {
  checkPath(path);
  const row = await secretByPath(deps.store.db, path);
  if (!row || row.current_version === 0) throw new SecretNotFoundError(path);
  const wanted = version ?? row.current_version;
  const stored = await versionOf(deps.store.db, path, wanted);
  if (!stored) throw new SecretNotFoundError(path, wanted);
  if (stored.destroyed_at || stored.ciphertext === null) throw new SecretNotFoundError(path, wanted, 'destroyed');
  if (stored.deleted_at) throw new SecretNotFoundError(path, wanted, 'deleted');
  const ciphertext = stored.ciphertext;
  const data = JSON.parse(withDataKey(deps.envelope, path, row.wrapped_key, (key) => decryptValue(key, path, wanted, ciphertext))) as SecretData;
  await deps.audit.append(secretEvent('secret.read', 'read', actor, path, { version: wanted }));
  return { path, version: wanted, data, createdAt: stored.created_at };
}
