import type { DialectMigration } from '../../storage/index.js';

/** Alerts raised by the monitor (monitoring/). */
export const m022MonitoringAlerts: DialectMigration = {
  async up(db) {
    await db.schema
      .createTable('monitoring_alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('signal', 'text', (c) => c.notNull())
      .addColumn('time_window', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('observed', 'double precision', (c) => c.notNull())
      .addColumn('baseline_mean', 'double precision', (c) => c.notNull())
      .addColumn('baseline_deviation', 'double precision', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('sample_seqs', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('agent_suspended', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('raised_at', 'text', (c) => c.notNull())
      .addColumn('acknowledged_at', 'text')
      .addColumn('acknowledged_by', 'text')
      .addColumn('resolved_at', 'text')
      .addColumn('resolved_by', 'text')
      .addColumn('note', 'text')
      .execute();
    // The list operators look at: newest first, by status, by agent.
    await db.schema.createIndex('monitoring_alerts_status_raised').on('monitoring_alerts').columns(['status', 'raised_at', 'id']).execute();
    await db.schema.createIndex('monitoring_alerts_agent_raised').on('monitoring_alerts').columns(['agent_id', 'raised_at', 'id']).execute();
  },
};
