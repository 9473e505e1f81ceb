import type { DialectMigration } from '../../storage/index.js';

/** The agent registry: one row per agent, kept after decommissioning; client secrets as hashes only. */
export const m003Registry: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('agents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('tools', 'text', (c) => c.notNull())
      .addColumn('data_classification', 'text', (c) => c.notNull())
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('token_ttl_seconds', 'integer')
      .addColumn('jwks', 'text')
      .addColumn('tls_client_auth_subject_dn', 'text')
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('client_secret_hash', 'text')
      .addColumn('client_secret_issued_at', 'text')
      .addColumn('previous_secret_hash', 'text')
      .addColumn('previous_secret_expires_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('status_changed_at', 'text', (c) => c.notNull())
      .addColumn('status_changed_by', 'text', (c) => c.notNull())
      .addColumn('status_reason', 'text')
      .addColumn('last_reviewed_at', 'text')
      .addColumn('last_reviewed_by', 'text')
      .addColumn('last_review_notes', 'text')
      .execute();
    // Listing pages in (created_at, id) order; owners list their own agents.
    await db.schema.createIndex('agents_created').on('agents').columns(['created_at', 'id']).execute();
    await db.schema.createIndex('agents_owner_created').on('agents').columns(['owner', 'created_at', 'id']).execute();
    await db.schema.createIndex('agents_status').on('agents').column('status').execute();
  },
};
