import type { DialectMigration } from '../../storage/index.js';

/** The links an agent takes part in, by agent (the console's delegation tree, GET /v1/agents/{id}/delegations). */
export const m038DelegationLinksAgent: DialectMigration = {
  async up(db) {
    await db.schema.createIndex('delegation_links_agent').on('delegation_links').column('agent_id').execute();
  },
};
