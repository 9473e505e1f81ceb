import type { DialectMigration } from '../../storage/index.js';

/** OAuth: signing keys, single-use jtis, revocations and their feed, resource servers. */
export const m004OAuth: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('oauth_signing_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('activates_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('oauth_seen_jtis')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('oauth_seen_jtis_expires').on('oauth_seen_jtis').column('expires_at').execute();
    await db.schema
      .createTable('oauth_revoked_tokens')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text')
      .addColumn('exp', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('oauth_agent_revocations')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text')
      .addColumn('not_before', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('oauth_revocation_events')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('jti', 'text')
      .addColumn('agent_id', 'text')
      .addColumn('client_id', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('retain_until', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('oauth_revocation_events_retain').on('oauth_revocation_events').column('retain_until').execute();
    await db.schema
      .createTable('oauth_revocation_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .execute();
    await db.insertInto('oauth_revocation_head').values({ id: 1, seq: 0 }).execute();
    await db.schema
      .createTable('oauth_resource_servers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('audience', 'text', (c) => c.notNull().unique())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull().unique())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
