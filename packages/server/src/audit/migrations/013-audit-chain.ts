import type { DialectMigration } from '../../storage/index.js';

/**
 * The derived `chain_id` column (columns.ts) and its index: `GET /v1/audit?chain_id=…` lists
 * everything done under one delegation chain root. Entries written before it have no chain.
 */
export const m013AuditChain: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('audit_entries').addColumn('chain_id', 'text').execute();
    await db.schema.createIndex('audit_entries_chain_seq').on('audit_entries').columns(['chain_id', 'seq']).execute();
  },
};
