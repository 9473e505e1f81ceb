import type { DialectMigration } from '../../storage/index.js';

/**
 * Grant requests (issue 10 item 5): an owner's registration or change beyond its grant ceiling,
 * held until an admin approves (then applied) or denies it. `request` is the checked fields as
 * JSON, `exceeds` what is beyond the ceiling.
 */
export const m011GrantRequests: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('agent_grant_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text')
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('exceeds', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('requester_email', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'text')
      .addColumn('decision_reason', 'text')
      .execute();
    await db.schema.createIndex('agent_grant_requests_status').on('agent_grant_requests').columns(['status', 'created_at', 'id']).execute();
  },
};
