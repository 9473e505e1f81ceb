import type { DialectMigration } from '../migrate.js';

/** Small key/value facts about this installation (e.g. the master key check value). */
export const m000Meta: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
