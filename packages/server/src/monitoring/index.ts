/**
 * The monitoring context's public face: watching agents' behaviour, alerts, metrics and the
 * least-privilege report, and each agent's signals as time series with their baselines (series.ts). The composition root builds it with `createMonitoring` and feeds
 * `MonitoringService.ingest` from the audit log's committed entries (feed.ts maps entry types
 * to events; no other context's table is read); other contexts feed `MonitoringMetrics`
 * through its ports (`readLeasesLive`, `certificateIssued`, `adopt`) and raise operational
 * alerts (`raiseOperational`, e.g. a lease revocation that keeps failing). The pure core —
 * `AgentMonitor` judging `MonitorEvent`s against each agent's windowed baselines — and the
 * signal, window, severity and alert-status tables are exported for routes, the CLI's names,
 * tests and the benchmark. The alerts table, its SQL and the use cases stay inside.
 */
export { createMonitoring, type MonitoringSetup } from './setup.js';
export { MonitoringService, MAX_ALERTS_IN_FLIGHT } from './service.js';
export { MonitoringMetrics, type GaugeReader } from './metrics.js';
export { AgentMonitor, type Anomaly } from './monitor.js';
export { monitorEventOf } from './feed.js';
export type { AuthFailureEvent, DecisionEvent, MonitorEvent, TokenEvent } from './events.js';
export type { MonitorSettings, RateSignalSettings } from './settings.js';
export { ALERT_ACTIONS, ALERT_STATUSES, alertView, type Alert, type AlertAction, type AlertStatus, type AlertView } from './alerts.js';
export type { AlertFilter, AlertPage } from './list.js';
export { NOTE_MAX_LENGTH } from './respond.js';
export { SERIES_BUCKETS_MAX, SERIES_ENTRIES_MAX, SERIES_WINDOWS, type SeriesWindow, type SignalLine, type SignalSeries } from './series.js';
export { DECISIONS_READ_MAX, UNUSED_DAYS_MAX, type Grants, type UnusedPermissions } from './unused.js';
export {
  ALERT_SIGNAL_NAMES,
  OPERATIONAL_SIGNALS,
  RATE_SIGNALS,
  SEVERITIES,
  SIGNAL_NAMES,
  SIGNALS,
  WINDOWS,
  WINDOW_NAMES,
  type AlertSignalName,
  type OperationalSignal,
  type RateSignal,
  type Severity,
  type SignalName,
  type WindowName,
} from './signals.js';
export type { OperationalAlert } from './raise.js';
export { monitoringMigrations } from './migrations/index.js';
