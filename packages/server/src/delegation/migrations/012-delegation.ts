import type { DialectMigration } from '../../storage/index.js';

/** Delegation: trusted identity providers, the links of every chain, single-use ID-JAG jtis. */
export const m012Delegation: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('delegation_idps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('issuer', 'text', (c) => c.notNull().unique())
      .addColumn('jwks_uri', 'text', (c) => c.notNull())
      .addColumn('audiences', 'text', (c) => c.notNull())
      .addColumn('user_claim', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('delegation_links')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('chain_id', 'text', (c) => c.notNull())
      .addColumn('parent_jti', 'text')
      .addColumn('root_subject', 'text', (c) => c.notNull())
      .addColumn('root_issuer', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('depth', 'integer', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('audience', 'text', (c) => c.notNull())
      .addColumn('exp', 'bigint', (c) => c.notNull())
      .addColumn('grant_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('delegation_links_chain').on('delegation_links').column('chain_id').execute();
    await db.schema.createIndex('delegation_links_exp').on('delegation_links').column('exp').execute();
    await db.schema
      .createTable('delegation_used_assertions')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('exp', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('delegation_used_assertions_exp').on('delegation_used_assertions').column('exp').execute();
  },
};
