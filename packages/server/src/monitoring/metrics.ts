import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import { ALERT_SIGNAL_NAMES } from './signals.js';

/** Reads a gauge's value when Prometheus scrapes (a count query, a map's size). */
export type GaugeReader = () => number | Promise<number>;

/**
 * Mandate's Prometheus metrics, served at `GET /metrics`, on a registry of this runtime's own
 * (not prom-client's global one: two runtimes in one process, as in tests, never mix). The
 * names are the contract of deploy/ (dashboard and alert rules; a test holds them to this).
 *
 * Other contexts feed it through two kinds of port, plugged in by the composition root:
 * counters they bump (`certificateIssued()`), and gauges read at scrape time from a reader
 * they hand over once (`readLeasesLive(fn)`, `readApprovalsPending(fn)`). A gauge whose
 * reader is not set reports 0. Metrics a context keeps itself (OAuth's counters) join with
 * `adopt(...)`.
 */
export class MonitoringMetrics {
  readonly registry = new Registry();
  private leasesLive: GaugeReader = () => 0;
  private approvalsPending: GaugeReader = () => 0;
  private agentsTracked: GaugeReader = () => 0;

  readonly decisions = new Counter({
    name: 'mandate_decisions_total',
    help: 'Authorization decisions (POST /v1/authorize), per outcome: allow, deny, approval_required.',
    labelNames: ['decision'],
    registers: [this.registry],
  });

  readonly alerts = new Counter({
    name: 'mandate_monitoring_alerts_total',
    help: 'Alerts raised by the monitor, per signal and severity.',
    labelNames: ['signal', 'severity'],
    registers: [this.registry],
  });

  readonly suspensions = new Counter({
    name: 'mandate_monitoring_auto_suspensions_total',
    help: 'Agents suspended by the monitor (monitoring.autoSuspendSeverities).',
    registers: [this.registry],
  });

  readonly events = new Counter({
    name: 'mandate_monitoring_events_total',
    help: 'Events the monitor judged (tokens, failed authentications, decisions).',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  readonly certificates = new Counter({
    name: 'mandate_certificates_issued_total',
    help: 'Workload certificates (SVIDs) issued.',
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'mandate_http_request_duration_seconds',
    help: 'HTTP request latency, per method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    const gauge = (name: string, help: string, read: () => GaugeReader) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.set(await read()());
        },
      });
    gauge('mandate_approvals_pending', 'Human approval requests still pending.', () => this.approvalsPending);
    gauge('mandate_leases_live', 'Credential leases (dynamic database credentials) not yet expired or revoked.', () => this.leasesLive);
    gauge('mandate_monitoring_agents_tracked', 'Agents the monitor holds a baseline for.', () => this.agentsTracked);
    // Every signal shows on the dashboard from the start, at 0.
    for (const signal of ALERT_SIGNAL_NAMES) this.alerts.inc({ signal, severity: 'low' }, 0);
    for (const decision of ['allow', 'deny', 'approval_required']) this.decisions.inc({ decision }, 0);
  }

  /** Registers metrics another context keeps (OAuth's counters) in this registry too. */
  adopt(...metrics: Metric[]): void {
    for (const metric of metrics) this.registry.registerMetric(metric);
  }

  /** Port for the secrets context: how many leases are live, read at each scrape. */
  readLeasesLive(read: GaugeReader): void {
    this.leasesLive = read;
  }

  /** Port for the approvals context: how many requests are pending, read at each scrape. */
  readApprovalsPending(read: GaugeReader): void {
    this.approvalsPending = read;
  }

  readAgentsTracked(read: GaugeReader): void {
    this.agentsTracked = read;
  }

  /** Port for the PKI context: one certificate issued. */
  certificateIssued(): void {
    this.certificates.inc();
  }

  /** The exposition text (Prometheus text format 0.0.4) and its content type. */
  async exposition(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
