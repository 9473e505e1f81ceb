import type { DialectMigration } from '../../storage/index.js';

/**
 * Tokens issued with a task id (issue 14): when the task completes, expires or is cancelled,
 * each of them is revoked by jti (and named in the task's revoked list). A row matters until
 * the token's own `exp`; the revocation prune drops it then.
 */
export const m026OAuthTaskTokens: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('oauth_task_tokens')
      .addColumn('jti', 'text', (c) => c.primaryKey())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text')
      .addColumn('exp', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('oauth_task_tokens_task').on('oauth_task_tokens').column('task_id').execute();
    await db.schema.createIndex('oauth_task_tokens_exp').on('oauth_task_tokens').column('exp').execute();
  },
};
