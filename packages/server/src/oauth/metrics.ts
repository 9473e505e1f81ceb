import { Counter, register } from 'prom-client';

/**
 * OAuth's Prometheus metrics, created once per process even when several runtimes share it
 * (on prom-client's default registry, which finds them again). The monitoring context adopts
 * them into its own registry and serves them at /metrics.
 */
function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  const existing = register.getSingleMetric(name);
  return (existing as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
}

export const clientAuthFailures = counter('mandate_oauth_client_auth_failures_total', 'Failed client authentications at the OAuth endpoints, per presented client_id.', ['client_id']);
export const tokensIssued = counter('mandate_oauth_tokens_issued_total', 'Access tokens issued, per grant type.', ['grant_type']);
export const tokenRequestsRefused = counter('mandate_oauth_token_requests_refused_total', 'Token requests refused, per OAuth error code.', ['error']);

/** The three, for the monitoring context's registry (GET /metrics). */
export const OAUTH_METRICS = [clientAuthFailures, tokensIssued, tokenRequestsRefused];
