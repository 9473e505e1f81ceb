import type { DialectMigration } from '../../storage/index.js';

/**
 * Sign-ins under way at an upstream IdP (signin/upstream.ts): keyed by the state's hash, bound
 * to the browser that started them, used once (`used_at`), short-lived.
 */
export const m029SigninStates: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('signin_states')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('idp_id', 'text', (c) => c.notNull())
      .addColumn('browser_hash', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('code_verifier', 'text', (c) => c.notNull())
      .addColumn('return_to', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema.createIndex('signin_states_expires').on('signin_states').columns(['expires_at']).execute();
  },
};
