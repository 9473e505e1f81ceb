import type { DialectMigration } from '../../storage/index.js';

/**
 * The policy package an admin binds to a resource server (issue 10 item 4): the decision point
 * evaluates it for that server's `POST /v1/authorize` calls. Null: the server's package
 * (`policy.decisionPackage`).
 */
export const m010ResourceServerPackage: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('oauth_resource_servers').addColumn('policy_package', 'text').execute();
  },
};
