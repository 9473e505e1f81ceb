import type { DialectMigration } from '../../storage/index.js';

/** Workload identity (workload/): CA slots, issued X.509-SVIDs, and the revocation feed. */
export const m015Workload: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('workload_authorities')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('certificate', 'text', (c) => c.notNull())
      .addColumn('anchor', 'text', (c) => c.notNull())
      .addColumn('chain', 'text', (c) => c.notNull())
      .addColumn('sealed_key', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('not_before', 'text', (c) => c.notNull())
      .addColumn('not_after', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('activated_at', 'text')
      .addColumn('remove_at', 'text')
      .execute();
    await db.schema
      .createTable('workload_certificates')
      .addColumn('serial', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('spiffe_id', 'text', (c) => c.notNull())
      .addColumn('authority_id', 'text', (c) => c.notNull())
      .addColumn('thumbprint', 'text', (c) => c.notNull())
      .addColumn('not_before', 'text', (c) => c.notNull())
      .addColumn('not_after', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('revoke_reason', 'text')
      .execute();
    // Revoking an agent's live certificates, and `mandate cert show --agent`.
    await db.schema.createIndex('workload_certificates_agent').on('workload_certificates').columns(['agent_id', 'not_after']).execute();
    await db.schema.createIndex('workload_certificates_authority').on('workload_certificates').columns(['authority_id', 'not_after']).execute();
    await db.schema
      .createTable('workload_revocations')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('serial', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('not_after', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('workload_revocation_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .execute();
    await db.insertInto('workload_revocation_head').values({ id: 1, seq: 0 }).execute();
  },
};
