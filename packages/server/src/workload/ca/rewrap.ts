import { rewrapCells, type Envelope } from '../../crypto/index.js';
import type { Executor } from '../../storage/index.js';
import { workloadTables } from '../tables.js';
import { sealContext } from './authority.js';

/** Master-key rotation of the workload CA keys, in the caller's transaction (same CAs, same certificates). */
export async function rewrapAuthorityKeys(trx: Executor, from: Envelope, to: Envelope): Promise<number> {
  const table = workloadTables(trx);
  const rows = await table.selectFrom('workload_authorities').select(['id', 'sealed_key']).execute();
  return rewrapCells(
    rows.map((row) => ({
      sealed: row.sealed_key,
      context: sealContext(row.id),
      save: (sealed: string) => table.updateTable('workload_authorities').set({ sealed_key: sealed }).where('id', '=', row.id).execute(),
    })),
    from,
    to,
  );
}
