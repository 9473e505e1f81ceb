import type { AuditEntry } from '../audit/index.js';
import type { Actor } from '../audit/index.js';
import type { Alert, AlertAction } from './alerts.js';
import type { MonitoringDeps } from './deps.js';
import { monitorEventOf } from './feed.js';
import { getAlert, listAlerts, type AlertFilter, type AlertPage } from './list.js';
import { AgentMonitor, type Anomaly } from './monitor.js';
import { raiseAlert, raiseOperationalAlert, type OperationalAlert } from './raise.js';
import { respondToAlert } from './respond.js';
import type { MonitorSettings } from './settings.js';
import type { MonitorEvent } from './events.js';
import { unusedPermissions, type Grants, type UnusedPermissions } from './unused.js';
import { signalSeries, type SeriesWindow, type SignalSeries } from './series.js';
import { SIGNAL_NAMES, WINDOWS, type SignalName } from './signals.js';

/**
 * Background jobs (alert writes, agent lookups for unseen client ids) at once; beyond, new
 * alerts are dropped and logged and lookups skipped (a flood cannot queue without bound).
 */
export const MAX_ALERTS_IN_FLIGHT = 256;

export interface MonitoringServiceOptions {
  deps: MonitoringDeps;
  /** Whether an id names a registered agent (for failed authentications that name an unknown client_id). */
  isAgent: (agentId: string) => Promise<boolean>;
}

/**
 * The monitoring context's service: takes committed audit entries (`ingest`, the audit log's
 * onAppended hook), judges the events they carry with the AgentMonitor, and raises the
 * anomalies as alerts (raise.ts); operators list, acknowledge and resolve them; the
 * least-privilege report (unused.ts). Ingesting never waits: alert writes run in the
 * background, at most MAX_ALERTS_IN_FLIGHT at once (`idle()` waits for them: tests, shutdown).
 */
export class MonitoringService {
  private readonly monitor: AgentMonitor;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: MonitoringServiceOptions) {
    this.monitor = new AgentMonitor(options.deps.settings as MonitorSettings);
    options.deps.metrics.readAgentsTracked(() => this.monitor.trackedAgents);
  }

  /** The audit log's hook: every committed batch of entries, in order. O(1) per entry. */
  ingest(entries: readonly AuditEntry[]): void {
    const { settings, metrics } = this.options.deps;
    for (const entry of entries) {
      if (entry.type === 'policy.decision' && typeof entry.details.decision === 'string') metrics.decisions.inc({ decision: entry.details.decision });
      if (!settings.enabled) continue;
      const event = monitorEventOf(entry);
      if (!event) continue;
      if (event.kind === 'auth_failure' && !entry.agentId && !this.monitor.tracks(event.agentId)) {
        // A client_id the monitor has not seen: judge it only if it is an agent's (guessed ids
        // grow nothing), and look it up only while the background work is bounded.
        if (this.inFlight.size < MAX_ALERTS_IN_FLIGHT) this.background(this.options.isAgent(event.agentId).then((known) => known && this.observe(event)));
        continue;
      }
      this.observe(event);
    }
  }

  /** Judges one event (also for tests and the benchmark); returns what it raised. */
  observe(event: MonitorEvent): Anomaly[] {
    this.options.deps.metrics.events.inc({ kind: event.kind });
    const anomalies = this.monitor.observe(event);
    for (const anomaly of anomalies) this.raise(anomaly);
    return anomalies;
  }

  /** Drops an agent's baselines (decommissioned). */
  forgetAgent(agentId: string): void {
    this.monitor.forget(agentId);
  }

  private raise(anomaly: Anomaly): void {
    const { deps } = this.options;
    if (this.inFlight.size >= MAX_ALERTS_IN_FLIGHT) {
      deps.logger.warn({ agent_id: anomaly.agentId, signal: anomaly.signal, severity: anomaly.severity }, 'alert dropped: too many alerts being written at once');
      return;
    }
    this.background(raiseAlert(deps, anomaly));
  }

  /**
   * An alert about Mandate itself from another context (a lease whose revocation keeps
   * failing): written in the background like the monitor's own (`idle()` waits for it).
   */
  raiseOperational(alert: OperationalAlert): void {
    if (this.inFlight.size >= MAX_ALERTS_IN_FLIGHT) {
      this.options.deps.logger.warn({ agent_id: alert.agentId, signal: alert.signal }, 'alert dropped: too many alerts being written at once');
      return;
    }
    this.background(raiseOperationalAlert(this.options.deps, alert));
  }

  private background(work: Promise<unknown>): void {
    const job = work.catch((error: unknown) => this.options.deps.logger.error({ err: error }, 'monitoring could not raise an alert'));
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
  }

  /** Resolves when every alert started so far is written (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  list(filter: AlertFilter = {}): Promise<AlertPage> {
    return listAlerts(this.options.deps, filter);
  }

  get(id: string): Promise<Alert> {
    return getAlert(this.options.deps, id);
  }

  respond(id: string, action: AlertAction, actor: Actor & { kind: 'operator' }, note: string | null = null): Promise<Alert> {
    return respondToAlert(this.options.deps, id, action, actor, note);
  }

  /** An agent's six signals over the last `buckets` buckets of `window`, with their baselines (series.ts). */
  signalSeries(agentId: string, window: SeriesWindow, buckets: number): Promise<SignalSeries> {
    const { deps } = this.options;
    return signalSeries(deps.decisionLog, deps.settings as MonitorSettings, { agentId, window, buckets, endMs: deps.clock.now() });
  }

  /**
   * The chart of one alert: its signal's observed value against the baseline, in the alert's
   * window (the hour window for an event signal), the alert's bucket three quarters along
   * (or the newest, for a recent alert). Operational alerts have no series: `signals` is empty.
   */
  async alertSeries(id: string, buckets: number): Promise<{ alert: Alert; series: SignalSeries }> {
    const { deps } = this.options;
    const alert = await this.get(id);
    const window: SeriesWindow = alert.window === 'event' ? '1h' : alert.window;
    const bucketMs = WINDOWS.find((w) => w.name === window)!.bucketMs;
    const endMs = Math.min(Date.parse(alert.raisedAt) + Math.floor(buckets / 4) * bucketMs, deps.clock.now());
    const only = (SIGNAL_NAMES as readonly string[]).includes(alert.signal) ? [alert.signal as SignalName] : [];
    const series = await signalSeries(deps.decisionLog, deps.settings as MonitorSettings, { agentId: alert.agentId, window, buckets, endMs, only });
    return { alert, series };
  }

  unusedPermissions(agentId: string, grants: Grants, days = this.options.deps.settings.unusedDays): Promise<UnusedPermissions> {
    return unusedPermissions(this.options.deps, agentId, grants, days);
  }
}
