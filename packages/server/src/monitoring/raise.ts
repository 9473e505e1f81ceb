import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { randomId } from '../shared/ids.js';
import { toAlert, type Alert } from './alerts.js';
import type { MonitoringDeps } from './deps.js';
import type { Anomaly } from './monitor.js';
import { OPERATIONAL_SIGNALS, type AlertSignalName, type OperationalSignal, type Severity } from './signals.js';
import { insertAlert } from './store.js';

export const MONITOR_ACTOR: Actor = { kind: 'system', id: 'monitoring' };

/**
 * Raises one alert: stores it with its audit entry (`monitoring.alert.raised`), suspends the
 * agent first when the severity is one of `monitoring.autoSuspendSeverities` (through the
 * registry's normal lifecycle, so the suspension is audited there, revokes the agent's tokens,
 * and an operator lifts it with the usual resume), counts it, and hands it to the webhook.
 */
export async function raiseAlert(deps: MonitoringDeps, anomaly: Omit<Anomaly, 'signal' | 'atMs'> & { signal: AlertSignalName }): Promise<Alert> {
  const id = randomId('alr', 12);
  const operational = anomaly.signal in OPERATIONAL_SIGNALS;
  const suspended = !operational && deps.settings.autoSuspendSeverities.includes(anomaly.severity) && (await suspend(deps, id, anomaly));
  const row = {
    id,
    agent_id: anomaly.agentId,
    signal: anomaly.signal,
    time_window: anomaly.window,
    severity: anomaly.severity,
    observed: anomaly.observed,
    baseline_mean: anomaly.baseline.mean,
    baseline_deviation: anomaly.baseline.deviation,
    reason: anomaly.reason,
    sample_seqs: JSON.stringify(anomaly.sampleSeqs),
    status: 'open',
    agent_suspended: suspended ? 1 : 0,
    raised_at: isoTime(deps.clock.now()),
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    resolved_by: null,
    note: null,
  };
  await deps.audit.withEntry(async (trx) => {
    await insertAlert(trx, row);
    return {
      result: undefined,
      events: [
        {
          type: 'monitoring.alert.raised',
          actor: MONITOR_ACTOR,
          subject: id,
          agentId: anomaly.agentId,
          action: 'raise',
          outcome: 'success',
          details: {
            signal: anomaly.signal,
            window: anomaly.window,
            severity: anomaly.severity,
            observed: anomaly.observed,
            baseline: anomaly.baseline,
            reason: anomaly.reason,
            sample_seqs: anomaly.sampleSeqs,
            agent_suspended: suspended,
          },
        },
      ],
    };
  });
  const alert = toAlert(row);
  deps.metrics.alerts.inc({ signal: alert.signal, severity: alert.severity });
  deps.notify?.(alert);
  return alert;
}

/** True when the agent was suspended now; an agent that cannot be (already suspended, gone) is logged, not an error. */
async function suspend(deps: MonitoringDeps, alertId: string, anomaly: Pick<Anomaly, 'agentId' | 'severity' | 'reason'> & { signal: string }): Promise<boolean> {
  if (!deps.suspendAgent) return false;
  try {
    await deps.suspendAgent(anomaly.agentId, `suspended by the monitor: alert ${alertId} (${anomaly.signal}, ${anomaly.severity}): ${anomaly.reason}`.slice(0, 500));
    deps.metrics.suspensions.inc();
    return true;
  } catch (error) {
    deps.logger.warn({ err: error, agent_id: anomaly.agentId, alert_id: alertId }, 'the monitor could not suspend the agent');
    return false;
  }
}

/** An alert another context raises about Mandate itself (signals.ts OPERATIONAL_SIGNALS). */
export interface OperationalAlert {
  signal: OperationalSignal;
  /** The agent whose credential is concerned, or `system` when none is. */
  agentId: string;
  severity: Severity;
  /** What was counted (e.g. failed attempts). */
  observed: number;
  reason: string;
}

/** Raises an operational alert: stored, audited, counted and notified like any other, with no baseline and no suspension. */
export function raiseOperationalAlert(deps: MonitoringDeps, alert: OperationalAlert): Promise<Alert> {
  return raiseAlert(deps, { ...alert, window: 'event', baseline: { mean: 0, deviation: 0 }, sampleSeqs: [] });
}
