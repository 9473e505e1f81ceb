import type { DialectMigration } from '../../storage/index.js';

/** Browser sessions (signin/): the cookie's hash, who, how, and when it ends. */
export const m028SigninSessions: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('signin_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('principal_id', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('idp_id', 'text')
      .addColumn('subject', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('revoked_reason', 'text')
      .execute();
    await db.schema.createIndex('signin_sessions_expires').on('signin_sessions').columns(['expires_at']).execute();
    await db.schema.createIndex('signin_sessions_principal').on('signin_sessions').columns(['principal_id']).execute();
  },
};
