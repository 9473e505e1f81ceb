import type { DialectMigration } from '../../storage/index.js';

/** Leases (leases/): every credential Mandate must take back, with what revocation needs. */
export const m019Leases: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('leases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('engine', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text')
      .addColumn('task_id', 'text')
      .addColumn('revocation', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('max_expires_at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('revoke_reason', 'text')
      .execute();
    // The sweep: unrevoked leases by when they are next due.
    await db.schema.createIndex('leases_status_due').on('leases').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('leases_agent').on('leases').columns(['agent_id', 'status']).execute();
    await db.schema.createIndex('leases_task').on('leases').columns(['task_id', 'status']).execute();
  },
};
