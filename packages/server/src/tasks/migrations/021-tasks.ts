import type { DialectMigration } from '../../storage/index.js';

/** Tasks (tasks/): credentials issued for a task end with it. */
export const m021Tasks: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('closed_at', 'text')
      .execute();
    await db.schema.createIndex('tasks_status_expires').on('tasks').columns(['status', 'expires_at']).execute();
    await db.schema.createIndex('tasks_agent_status').on('tasks').columns(['agent_id', 'status']).execute();
  },
};
