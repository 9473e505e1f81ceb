import { Counter, register } from 'prom-client';

/**
 * OAuth's Prometheus metrics, on prom-client's default registry (the monitoring context
 * serves it at /metrics). Created once per process even when several runtimes share it.
 */
function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  const existing = register.getSingleMetric(name);
  return (existing as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
}

export const clientAuthFailures = counter('mandate_oauth_client_auth_failures_total', 'Failed client authentications at the OAuth endpoints, per presented client_id.', ['client_id']);
export const tokensIssued = counter('mandate_oauth_tokens_issued_total', 'Access tokens issued, per grant type.', ['grant_type']);
export const tokenRequestsRefused = counter('mandate_oauth_token_requests_refused_total', 'Token requests refused, per OAuth error code.', ['error']);
