import type { Envelope } from '../crypto/index.js';
import { keyContext } from './cipher.js';
import type { SecretDeps } from './deps.js';
import { allSecrets, updateSecret } from './store.js';

/**
 * Master-key rotation for the secret store: every path's data key is unwrapped with the old
 * master key and sealed with the new one, in one transaction (all or nothing). Values are not
 * touched: their ciphertexts stay byte for byte what they were. Returns how many keys moved.
 */
export async function rewrapDataKeys(deps: SecretDeps, from: Envelope, to: Envelope): Promise<number> {
  return deps.store.db.transaction().execute(async (trx) => {
    const rows = await allSecrets(trx);
    for (const row of rows) {
      const key = from.decrypt(row.wrapped_key, keyContext(row.path));
      try {
        await updateSecret(trx, row.path, { wrapped_key: to.encrypt(key, keyContext(row.path)) });
      } finally {
        key.fill(0);
      }
    }
    return rows.length;
  });
}
