import type { DialectMigration } from '../../storage/index.js';
import { GENESIS_HASH } from '../hash.js';

/**
 * Retention (issue 11 item 3): the head remembers where the live table begins once older entries
 * have moved to archive segments (archive.ts). `archived_seq` is the last archived entry (0: none)
 * and `archived_hash` its hash, which the first live entry names as its previous hash.
 */
export const m034AuditArchive: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('audit_head').addColumn('archived_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('audit_head').addColumn('archived_hash', 'text', (c) => c.notNull().defaultTo(GENESIS_HASH)).execute();
  },
};
