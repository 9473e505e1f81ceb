import type { DialectMigration } from '../../storage/index.js';

/**
 * The task an X.509-SVID was issued with (issue 14; null: none): when the task completes,
 * expires or is cancelled, its certificates are revoked (CRL and feed).
 */
export const m027WorkloadCertificateTask: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('workload_certificates').addColumn('task_id', 'text').execute();
    await db.schema.createIndex('workload_certificates_task').on('workload_certificates').column('task_id').execute();
  },
};
