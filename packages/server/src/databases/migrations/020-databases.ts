import type { DialectMigration } from '../../storage/index.js';

/** Dynamic database credentials (databases/): target connections and their roles. */
export const m020Databases: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('db_connections')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('plugin', 'text', (c) => c.notNull())
      .addColumn('sealed_url', 'text', (c) => c.notNull())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('rotation_period_seconds', 'integer', (c) => c.notNull())
      .addColumn('root_rotated_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('db_roles')
      .addColumn('connection', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('creation_statements', 'text', (c) => c.notNull())
      .addColumn('revocation_statements', 'text')
      .addColumn('default_ttl', 'integer', (c) => c.notNull())
      .addColumn('max_ttl', 'integer', (c) => c.notNull())
      .addColumn('classification', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('db_roles_pk', ['connection', 'name'])
      .execute();
  },
};
