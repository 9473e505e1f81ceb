import type { DialectMigration } from '../../storage/index.js';

/** The secret store (secrets/): one row per path with its wrapped data key, one per version. */
export const m018Secrets: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('secrets')
      .addColumn('path', 'text', (c) => c.primaryKey())
      .addColumn('wrapped_key', 'text', (c) => c.notNull())
      .addColumn('current_version', 'integer', (c) => c.notNull())
      .addColumn('classification', 'text', (c) => c.notNull())
      .addColumn('max_versions', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('secret_versions')
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('ciphertext', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .addColumn('destroyed_at', 'text')
      .addPrimaryKeyConstraint('secret_versions_pk', ['path', 'version'])
      .execute();
  },
};
