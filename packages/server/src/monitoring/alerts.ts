import type { AlertSignalName, Severity, WindowName } from './signals.js';
import type { AlertRow } from './tables.js';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * Which status each operator action leads to, and from where (a table, not `if`s): an alert
 * is acknowledged (someone is on it) and resolved (done with); a resolved alert stays resolved.
 */
export const ALERT_ACTIONS = {
  ack: { to: 'acknowledged', from: ['open'], event: 'monitoring.alert.acknowledged' },
  resolve: { to: 'resolved', from: ['open', 'acknowledged'], event: 'monitoring.alert.resolved' },
} as const satisfies Record<string, { to: AlertStatus; from: readonly AlertStatus[]; event: string }>;
export type AlertAction = keyof typeof ALERT_ACTIONS;

export interface Alert {
  id: string;
  agentId: string;
  signal: AlertSignalName;
  window: WindowName;
  severity: Severity;
  observed: number;
  baseline: { mean: number; deviation: number };
  reason: string;
  /** Audit sequence numbers of sample events (GET /v1/audit shows them). */
  sampleSeqs: number[];
  status: AlertStatus;
  agentSuspended: boolean;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  note: string | null;
}

export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    agentId: row.agent_id,
    signal: row.signal as AlertSignalName,
    window: row.time_window as WindowName,
    severity: row.severity as Severity,
    observed: Number(row.observed),
    baseline: { mean: Number(row.baseline_mean), deviation: Number(row.baseline_deviation) },
    reason: row.reason,
    sampleSeqs: JSON.parse(row.sample_seqs) as number[],
    status: row.status as AlertStatus,
    agentSuspended: Number(row.agent_suspended) === 1,
    raisedAt: row.raised_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    note: row.note,
  };
}

/** An alert as the API, the CLI and the webhook show it. */
export function alertView(alert: Alert) {
  return {
    id: alert.id,
    agent_id: alert.agentId,
    signal: alert.signal,
    window: alert.window,
    severity: alert.severity,
    observed: alert.observed,
    baseline: alert.baseline,
    reason: alert.reason,
    sample_seqs: alert.sampleSeqs,
    status: alert.status,
    agent_suspended: alert.agentSuspended,
    raised_at: alert.raisedAt,
    acknowledged_at: alert.acknowledgedAt,
    acknowledged_by: alert.acknowledgedBy,
    resolved_at: alert.resolvedAt,
    resolved_by: alert.resolvedBy,
    note: alert.note,
  };
}
export type AlertView = ReturnType<typeof alertView>;
