import { tablesOf, type Executor } from '../storage/index.js';

/** One alert as stored. */
export interface AlertRow {
  id: string;
  agent_id: string;
  /** One of SIGNALS (signals.ts). */
  signal: string;
  /** `1m`, `1h`, `24h`, or `event` for signals judged per event. */
  time_window: string;
  severity: string;
  observed: number;
  baseline_mean: number;
  baseline_deviation: number;
  reason: string;
  /** JSON array of audit sequence numbers of sample events (the last one raised it). */
  sample_seqs: string;
  /** `open`, `acknowledged` or `resolved`. */
  status: string;
  /** 1 when raising it suspended the agent (monitoring.autoSuspendSeverities). */
  agent_suspended: number;
  raised_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  /** The operator's note on acknowledging or resolving. */
  note: string | null;
}

export interface MonitoringTables {
  monitoring_alerts: AlertRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const monitoringTables = (executor: Executor) => tablesOf<MonitoringTables>(executor);
