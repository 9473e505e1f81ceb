import { rewrapCells, type Envelope } from '../../crypto/index.js';
import type { Executor } from '../../storage/index.js';
import { oauthTables } from '../tables.js';
import { sealContext } from './signing-keys.js';

/** Master-key rotation of the OAuth signing keys, in the caller's transaction (same keys, same kids). */
export async function rewrapSigningKeys(trx: Executor, from: Envelope, to: Envelope): Promise<number> {
  const table = oauthTables(trx);
  const rows = await table.selectFrom('oauth_signing_keys').select(['kid', 'private_key']).execute();
  return rewrapCells(
    rows.map((row) => ({
      sealed: row.private_key,
      context: sealContext(row.kid),
      save: (sealed: string) => table.updateTable('oauth_signing_keys').set({ private_key: sealed }).where('kid', '=', row.kid).execute(),
    })),
    from,
    to,
  );
}
