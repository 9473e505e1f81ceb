import { rewrapCells, type Envelope } from '../crypto/index.js';
import type { Executor } from '../storage/index.js';
import { sealContext } from './keys.js';
import { auditTables } from './tables.js';

/** Master-key rotation of the audit signing keys, in the caller's transaction (same keys, same ids). */
export async function rewrapAuditKeys(trx: Executor, from: Envelope, to: Envelope): Promise<number> {
  const table = auditTables(trx);
  const rows = await table.selectFrom('audit_keys').select(['id', 'private_key']).execute();
  return rewrapCells(
    rows.map((row) => ({
      sealed: row.private_key,
      context: sealContext(row.id),
      save: (sealed: string) => table.updateTable('audit_keys').set({ private_key: sealed }).where('id', '=', row.id).execute(),
    })),
    from,
    to,
  );
}
