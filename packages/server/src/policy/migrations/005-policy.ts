import type { DialectMigration } from '../../storage/index.js';

/** Policy revisions (policy/): each row is the complete module set and data after one change. */
export const m005Policy: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('policy_revisions')
      .addColumn('revision', 'integer', (c) => c.primaryKey())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('modules', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('modules_hash', 'text', (c) => c.notNull())
      .execute();
  },
};
