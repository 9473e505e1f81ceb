import type { DialectMigration } from '../../storage/index.js';

/**
 * Grant ceilings (issue 10): per operator, what an owner may give its agents — JSON
 * `{scopes, tools, max_classification}`, set by admins; null means none set (an owner may then
 * grant nothing).
 */
export const m008OwnerCeilings: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('operators').addColumn('grant_ceiling', 'text').execute();
  },
};
