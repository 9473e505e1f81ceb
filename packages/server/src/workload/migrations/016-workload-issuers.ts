import type { DialectMigration } from '../../storage/index.js';

/** Trusted workload issuers for federation (workload/federation/): JWTs an agent already has, mapped to one agent. */
export const m016WorkloadIssuers: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('workload_issuers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('issuer', 'text', (c) => c.notNull().unique())
      .addColumn('jwks_uri', 'text')
      .addColumn('audience', 'text', (c) => c.notNull())
      .addColumn('rules', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
