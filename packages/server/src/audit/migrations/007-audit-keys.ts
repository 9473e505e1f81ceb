import type { DialectMigration } from '../../storage/index.js';

/**
 * Audit signing keys (Ed25519): the public key as a JWK for anyone to verify checkpoints, the
 * private key sealed under the master key. Plus an index for the `subject` filter of queries.
 */
export const m007AuditKeys: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('audit_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('algorithm', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('retired_at', 'text')
      .execute();
    await db.schema.createIndex('audit_entries_subject_seq').on('audit_entries').columns(['subject', 'seq']).execute();
  },
};
