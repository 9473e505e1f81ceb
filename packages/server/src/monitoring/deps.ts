import type { AuditEntry, AuditFilter, AuditLog } from '../audit/index.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../storage/index.js';
import type { MonitoringMetrics } from './metrics.js';
import type { Alert } from './alerts.js';

/** Suspends an agent (the registry's normal lifecycle, audited there; an operator resumes it). */
export type SuspendAgent = (agentId: string, reason: string) => Promise<void>;

/** Delivers an alert to the configured webhook in the background (approvals' signed notifier). */
export type AlertNotifier = (alert: Alert) => void;

/** Reads the decision log through the audit face (AuditReader.entries). */
export interface DecisionLogReader {
  entries(filter: AuditFilter): AsyncGenerator<AuditEntry>;
}

/** What the monitoring use cases share. */
export interface MonitoringDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  settings: Config['monitoring'];
  metrics: MonitoringMetrics;
  suspendAgent: SuspendAgent | undefined;
  notify: AlertNotifier | undefined;
  decisionLog: DecisionLogReader;
}
