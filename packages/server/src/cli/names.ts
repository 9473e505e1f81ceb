/**
 * Names the server defines that the CLI needs before it sends anything: the choices of
 * `agent register --classification`, `agent list --status`, `operator create --role` and
 * `approvals list --status` (a typo is bad usage, exit 2, with the choices listed) and one
 * `agent <verb>` command per lifecycle verb. Copies, so that client verbs load no server code
 * (docs/architecture.md, "The CLI"); test/cli/names.test.ts fails when they drift from
 * registry/classification.ts, registry/lifecycle.ts, identity/roles.ts and approvals/types.ts.
 */

/** registry/classification.ts CLASSIFICATION_NAMES, lowest first. */
export const CLASSIFICATION_NAMES = ['public', 'internal', 'confidential', 'restricted'] as const;

/** registry/lifecycle.ts LIFECYCLE_ACTION_NAMES: `POST /v1/agents/{id}/<verb>`. */
export const LIFECYCLE_ACTION_NAMES = ['suspend', 'resume', 'deprecate', 'decommission'] as const;

/** registry/lifecycle.ts AGENT_STATUSES. */
export const AGENT_STATUS_NAMES = ['active', 'suspended', 'deprecated', 'decommissioned'] as const;

/** identity/roles.ts ROLES: the roles an operator can hold. */
export const ROLE_NAMES = ['admin', 'approver', 'auditor', 'owner'] as const;

/** approvals/types.ts APPROVAL_STATUSES. */
export const APPROVAL_STATUS_NAMES = ['pending', 'approved', 'denied', 'expired', 'used'] as const;

/** monitoring/alerts.ts ALERT_STATUSES. */
export const ALERT_STATUS_NAMES = ['open', 'acknowledged', 'resolved'] as const;

/** monitoring/signals.ts ALERT_SIGNAL_NAMES (the monitor's six, then the operational ones). */
export const SIGNAL_NAMES = ['auth_frequency', 'action_velocity', 'error_rate', 'cross_user', 'scope_usage', 'delegation_depth', 'lease_revocation'] as const;

/** monitoring/signals.ts SEVERITIES, lowest first. */
export const SEVERITY_NAMES = ['low', 'medium', 'high', 'critical'] as const;

/** monitoring/series.ts SERIES_WINDOWS and SERIES_BUCKETS_MAX (`agent signals --window`, `--buckets`). */
export const SERIES_WINDOW_NAMES = ['1m', '1h', '24h'] as const;
export const SERIES_BUCKETS_MAX = 500;

/** registry/types.ts GRANT_REQUEST_STATUSES (`grant-request list --status`). */
export const GRANT_REQUEST_STATUS_NAMES = ['pending', 'approved', 'denied'] as const;

/** A PostgreSQL connection URL (`mandate db config <name> --url postgres://…`), not the server's URL. */
export function isDatabaseUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//.test(value);
}
