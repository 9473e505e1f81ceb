/**
 * The six monitor signals and the three baseline windows, as tables (STYLE.md §3): what each
 * signal counts, and how each window learns an agent's normal. The seed's monitoring list:
 * authentication frequency, permission scope usage, cross-user access, action velocity,
 * error rate, delegation depth.
 */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** How a signal is judged: a count per window against its baseline, or each event on its own. */
export type SignalKind = 'rate' | 'event';

export const SIGNALS = {
  /** Tokens issued to the agent per window: a spike may be a stolen credential in use. */
  auth_frequency: { kind: 'rate', slot: 0, describes: 'tokens issued' },
  /** Decisions asked per window (actions per minute, hour, day). */
  action_velocity: { kind: 'rate', slot: 1, describes: 'actions (decisions)' },
  /** Failed authentications and denied decisions per window: brute force or misconfiguration. */
  error_rate: { kind: 'rate', slot: 2, describes: 'authentication failures and denials' },
  /** Actions on resources owned by a user other than the one the agent acts for. */
  cross_user: { kind: 'rate', slot: 3, describes: "actions on other users' resources" },
  /** A tool or scope not in the agent's registration, or used for the first time after warm-up. */
  scope_usage: { kind: 'event', slot: 4, describes: 'tool or scope use' },
  /** A delegation chain deeper than any the agent used before (after warm-up). */
  delegation_depth: { kind: 'event', slot: 5, describes: 'delegation chain depth' },
} as const satisfies Record<string, { kind: SignalKind; slot: number; describes: string }>;

export type SignalName = keyof typeof SIGNALS;
export const SIGNAL_NAMES = Object.keys(SIGNALS) as SignalName[];
export type RateSignal = { [K in SignalName]: (typeof SIGNALS)[K]['kind'] extends 'rate' ? K : never }[SignalName];
/**
 * Alerts that are not about an agent's behaviour but about Mandate keeping its promises: raised
 * by other contexts through `MonitoringService.raiseOperational`, never judged against a
 * baseline, never suspending an agent (the agent did nothing wrong).
 */
export const OPERATIONAL_SIGNALS = {
  /** A lease's revocation keeps failing (leases/ `revocation failing`): its credential outlives the lease until a retry succeeds. */
  lease_revocation: { describes: 'failed lease revocations' },
} as const satisfies Record<string, { describes: string }>;

export type OperationalSignal = keyof typeof OPERATIONAL_SIGNALS;
/** Every signal an alert may carry: the monitor's six, then the operational ones. */
export type AlertSignalName = SignalName | OperationalSignal;
export const ALERT_SIGNAL_NAMES: readonly AlertSignalName[] = [...SIGNAL_NAMES, ...(Object.keys(OPERATIONAL_SIGNALS) as OperationalSignal[])];

export const RATE_SIGNALS = SIGNAL_NAMES.filter((name): name is RateSignal => SIGNALS[name].kind === 'rate');

/**
 * The baseline windows. Each keeps the count of the current bucket and an exponentially
 * weighted mean and variance of the counts of past buckets; `alpha` gives a memory of about
 * 2/alpha − 1 buckets, and a window alerts only after `warmupBuckets` buckets of history.
 */
export const WINDOWS = [
  { name: '1m', bucketMs: 60_000, alpha: 2 / (60 + 1), warmupBuckets: 30 },
  { name: '1h', bucketMs: 3_600_000, alpha: 2 / (24 + 1), warmupBuckets: 6 },
  { name: '24h', bucketMs: 86_400_000, alpha: 2 / (7 + 1), warmupBuckets: 3 },
] as const;

export type WindowName = (typeof WINDOWS)[number]['name'] | 'event';
export const WINDOW_NAMES: readonly WindowName[] = [...WINDOWS.map((w) => w.name), 'event'];
