import { rewrapCells, type Envelope } from '../crypto/index.js';
import type { Executor } from '../storage/index.js';
import { urlContext } from './deps.js';
import { databaseTables } from './tables.js';

/** Master-key rotation of the connections' sealed root URLs (and a rotation's pending one), in the caller's transaction. */
export async function rewrapConnections(trx: Executor, from: Envelope, to: Envelope): Promise<number> {
  const table = databaseTables(trx);
  const rows = await table.selectFrom('db_connections').select(['name', 'sealed_url', 'pending_sealed_url']).execute();
  const cells = rows.flatMap((row) => [
    { sealed: row.sealed_url, context: urlContext(row.name), save: (sealed: string) => table.updateTable('db_connections').set({ sealed_url: sealed }).where('name', '=', row.name).execute() },
    ...(row.pending_sealed_url === null
      ? []
      : [{ sealed: row.pending_sealed_url, context: urlContext(row.name), save: (sealed: string) => table.updateTable('db_connections').set({ pending_sealed_url: sealed }).where('name', '=', row.name).execute() }]),
  ]);
  return rewrapCells(cells, from, to);
}
