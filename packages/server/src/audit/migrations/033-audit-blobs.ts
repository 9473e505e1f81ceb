import type { DialectMigration } from '../../storage/index.js';

/**
 * Compact entries (compact.ts): content-addressed blobs holding what repeats between entries
 * once, and `base_id` on entries naming the blob a compact entry's delta applies to. Entries
 * written before keep `base_id` null and are read, hashed and verified exactly as before.
 */
export const m033AuditBlobs: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('audit_blobs')
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('audit_entries').addColumn('base_id', 'bigint').execute();
  },
};
