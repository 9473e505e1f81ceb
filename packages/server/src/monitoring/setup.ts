import type { AuditEntry, AuditLog } from '../audit/index.js';
import { deadlineSleep, WebhookNotifier } from '../approvals/index.js';
import type { Config } from '../config/schema.js';
import type { Scheduler } from '../scheduler/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../storage/index.js';
import { alertView, type Alert } from './alerts.js';
import type { AlertNotifier, DecisionLogReader, SuspendAgent } from './deps.js';
import { MonitoringMetrics } from './metrics.js';
import { AuditFollower } from './follow.js';
import { MonitoringService } from './service.js';

export interface MonitoringSetup {
  config: Config;
  store: Store;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  scheduler: Scheduler;
  /** The decision log, read through the audit face (AuditReader). */
  decisionLog: DecisionLogReader;
  /** The registry's suspend (used only for severities in monitoring.autoSuspendSeverities). */
  suspendAgent: SuspendAgent;
  isAgent: (agentId: string) => Promise<boolean>;
  /** Whether this replica leads (the scheduler's singleton jobs run here); with several, only the leader judges. */
  isLeader: () => boolean;
  onClose: (task: () => Promise<void> | void) => void;
}

/**
 * What feeds the monitor. One process (SQLite): `ingest` every batch this process commits.
 * Several replicas (PostgreSQL): each counts its own metrics from its own batches (`count`); the
 * leader judges its own batches at once and every other replica's by following the log
 * (`monitoring.follow`, follow.ts).
 */
export interface MonitoringFeed {
  /** For the audit log's onAppended hook. */
  onAppended(entries: readonly AuditEntry[]): void;
}

/**
 * Builds the monitoring context for the composition root: the metrics registry (which other
 * contexts then feed), the service, and — when `monitoring.webhookUrl` is set — the signed
 * alert webhook: approvals' notifier (same signature header, retries and audit of each
 * attempt, with `approvals.webhookAttempts|BackoffMs|TimeoutMs`), its backoff on the
 * scheduler deadline `monitoring.webhook-retry`.
 */
export function createMonitoring(setup: MonitoringSetup): { monitoring: MonitoringService; metrics: MonitoringMetrics; feed: MonitoringFeed } {
  const { config, store, audit, clock, logger, scheduler } = setup;
  const settings = config.monitoring;
  const metrics = new MonitoringMetrics();
  let notify: AlertNotifier | undefined;
  if (settings.webhookUrl && settings.webhookSecret) {
    const notifier = new WebhookNotifier(
      {
        url: settings.webhookUrl,
        secret: settings.webhookSecret,
        attempts: config.approvals.webhookAttempts,
        backoffMs: config.approvals.webhookBackoffMs,
        timeoutMs: config.approvals.webhookTimeoutMs,
      },
      { clock, audit, logger, sleep: deadlineSleep(scheduler, 'monitoring.webhook-retry') },
    );
    setup.onClose(() => notifier.close());
    notify = (alert: Alert) =>
      notifier.send({
        event: 'monitoring.alert',
        payload: { alert: alertView(alert) },
        audit: { delivered: 'monitoring.alert.notified', failed: 'monitoring.alert.notify_failed', actor: 'monitoring-webhook' },
        subject: alert.id,
        agentId: alert.agentId,
      });
  }
  const monitoring = new MonitoringService({
    deps: { db: store.db, audit, clock, logger, settings, metrics, suspendAgent: setup.suspendAgent, notify, decisionLog: setup.decisionLog },
    isAgent: setup.isAgent,
  });
  setup.onClose(() => monitoring.idle());
  if (store.dialect !== 'postgres') return { monitoring, metrics, feed: { onAppended: (entries) => monitoring.ingest(entries) } };
  const everyMs = config.replicas.monitorFollowMs;
  const follower = new AuditFollower({
    entries: (filter) => setup.decisionLog.entries(filter),
    head: async () => (await audit.head()).seq,
    judge: (entries) => monitoring.judge(entries),
    // Missed several runs: another replica led meanwhile and judged those entries.
    staleAfterMs: everyMs * 5,
  });
  scheduler.every({ name: 'monitoring.follow', everyMs, singleton: true, run: () => follower.follow() });
  const onAppended = (entries: readonly AuditEntry[]) => {
    if (!setup.isLeader()) return monitoring.count(entries);
    // The leader judges its own entries at once; the follower skips them.
    monitoring.ingest(entries);
    follower.own(entries);
  };
  return { monitoring, metrics, feed: { onAppended } };
}
