import type { DialectMigration } from '../../storage/index.js';

/** Human approval requests (approvals/). */
export const m006Approvals: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('approvals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('chain', 'text', (c) => c.notNull())
      .addColumn('on_behalf_of', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('tool', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('context', 'text')
      .addColumn('binding_hash', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('required_approvals', 'integer', (c) => c.notNull())
      .addColumn('approvals', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'text')
      .addColumn('decision_reason', 'text')
      .addColumn('used_at', 'text')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // The queue humans look at (status=pending, oldest first) and the sweep (by expiry).
    await db.schema.createIndex('approvals_status_created').on('approvals').columns(['status', 'created_at', 'id']).execute();
    await db.schema.createIndex('approvals_status_expires').on('approvals').columns(['status', 'expires_at']).execute();
    await db.schema.createIndex('approvals_agent_created').on('approvals').columns(['agent_id', 'created_at', 'id']).execute();
  },
};
