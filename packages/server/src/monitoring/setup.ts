import type { AuditLog } from '../audit/index.js';
import { deadlineSleep, WebhookNotifier } from '../approvals/index.js';
import type { Config } from '../config/schema.js';
import type { Scheduler } from '../scheduler/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../storage/index.js';
import { alertView, type Alert } from './alerts.js';
import type { AlertNotifier, DecisionLogReader, SuspendAgent } from './deps.js';
import { MonitoringMetrics } from './metrics.js';
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
  onClose: (task: () => Promise<void> | void) => void;
}

/**
 * Builds the monitoring context for the composition root: the metrics registry (which other
 * contexts then feed), the service, and — when `monitoring.webhookUrl` is set — the signed
 * alert webhook: approvals' notifier (same signature header, retries and audit of each
 * attempt, with `approvals.webhookAttempts|BackoffMs|TimeoutMs`), its backoff on the
 * scheduler deadline `monitoring.webhook-retry`.
 */
export function createMonitoring(setup: MonitoringSetup): { monitoring: MonitoringService; metrics: MonitoringMetrics } {
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
  return { monitoring, metrics };
}
