import { rewrapCells, type Envelope } from '../crypto/index.js';
import type { Executor } from '../storage/index.js';
import { sealContext } from './deps.js';
import { leaseTables } from './tables.js';

/** Master-key rotation of every lease's sealed revocation data, in the caller's transaction. */
export async function rewrapLeases(trx: Executor, from: Envelope, to: Envelope): Promise<number> {
  const table = leaseTables(trx);
  const rows = await table.selectFrom('leases').select(['id', 'revocation']).execute();
  return rewrapCells(
    rows.map((row) => ({
      sealed: row.revocation,
      context: sealContext(row.id),
      save: (sealed: string) => table.updateTable('leases').set({ revocation: sealed }).where('id', '=', row.id).execute(),
    })),
    from,
    to,
  );
}
