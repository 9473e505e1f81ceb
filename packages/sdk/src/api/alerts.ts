/**
 * A monitoring alert as the server shows it (`GET /v1/alerts`, the alert webhook's payload;
 * docs/monitoring.md). Types only, for the operators' tools that read alerts (the console, the
 * CLI, a webhook receiver). Names such as `signal`, `window`, `severity` and `status` are
 * strings here: a newer server may add values.
 */
export interface Alert {
  id: string;
  agent_id: string;
  signal: string;
  window: string;
  severity: string;
  observed: number;
  baseline: { mean: number; deviation: number };
  reason: string;
  /** Audit sequence numbers of sample events (GET /v1/audit shows them). */
  sample_seqs: number[];
  status: string;
  agent_suspended: boolean;
  raised_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  note: string | null;
}
