import { rewrapCells, type Envelope } from '../crypto/index.js';
import type { Executor } from '../storage/index.js';
import { keyContext } from './cipher.js';
import { allSecrets, updateSecret } from './store.js';

/**
 * Master-key rotation for the secret store, in the caller's transaction: every path's data key
 * is moved to the new master key. Values are not touched: their ciphertexts stay byte for byte
 * what they were. Returns how many keys moved.
 */
export async function rewrapDataKeys(trx: Executor, from: Envelope, to: Envelope): Promise<number> {
  const rows = await allSecrets(trx);
  return rewrapCells(
    rows.map((row) => ({ sealed: row.wrapped_key, context: keyContext(row.path), save: (sealed: string) => updateSecret(trx, row.path, { wrapped_key: sealed }) })),
    from,
    to,
  );
}
