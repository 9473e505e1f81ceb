import type { DialectMigration } from '../../storage/index.js';
import { GENESIS_HASH } from '../hash.js';

/**
 * The audit log: append-only rows chained by hash, a one-row head that serialises appends
 * (a row lock on PostgreSQL, the single writer on SQLite), and signed checkpoints.
 */
export const m001Audit: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('audit_entries')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('agent_id', 'text')
      .addColumn('subject', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_entries_type_seq').on('audit_entries').columns(['type', 'seq']).execute();
    await db.schema.createIndex('audit_entries_agent_seq').on('audit_entries').columns(['agent_id', 'seq']).execute();
    await db.schema.createIndex('audit_entries_actor_seq').on('audit_entries').columns(['actor_id', 'seq']).execute();
    await db.schema.createIndex('audit_entries_time').on('audit_entries').column('time').execute();
    await db.schema
      .createTable('audit_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('last_checkpoint_seq', 'bigint', (c) => c.notNull())
      .addColumn('last_checkpoint_time', 'text', (c) => c.notNull())
      .execute();
    // The head exists from the start, so every append is a locked update, never a racing insert.
    await db
      .insertInto('audit_head')
      .values({ id: 1, seq: 0, hash: GENESIS_HASH, last_checkpoint_seq: 0, last_checkpoint_time: new Date(0).toISOString() })
      .execute();
    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .execute();
  },
};
