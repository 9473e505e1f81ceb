import type { DialectMigration } from '../../storage/index.js';

/**
 * A root rotation's new URL (sealed), stored before the target's password changes and cleared
 * when the rotation completes: a crash between the two leaves the new password findable
 * (rotate-root.ts `settlePendingRoot`), instead of known only to the target.
 */
export const m039DbPendingRoot: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('db_connections').addColumn('pending_sealed_url', 'text').execute();
    await db.schema.alterTable('db_connections').addColumn('pending_since', 'text').execute();
  },
};
