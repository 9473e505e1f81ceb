import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, registerAgent, startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../deploy');
const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';

/** Metric names a PromQL text uses (histogram series suffixes stripped). */
function metricNames(text: string): Set<string> {
  return new Set([...text.matchAll(/\bmandate_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
}

/** Names that /metrics declares (`# TYPE <name> <type>`). */
function served(exposition: string): Set<string> {
  return new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

describe('GET /metrics', () => {
  let server: TestServer;
  let guarded: TestServer;

  beforeAll(async () => {
    server = await startOAuthServer('sqlite');
    guarded = await startOAuthServer('sqlite', { config: { monitoring: { metricsToken: METRICS_TOKEN } } });
  });
  afterAll(async () => {
    await server?.stop();
    await guarded?.stop();
  });

  const scrape = async (target: TestServer, headers: Record<string, string> = {}) => {
    const response = await fetch(`${target.url}/metrics`, { headers });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('serves tokens, decisions, approvals, leases, certificates, alerts and latency, fed by real traffic', async () => {
    const agent = await registerAgent(server);
    const issued = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, 'not-the-secret-at-all') });
    // A tool the agent never registered: denied, and the monitor flags it at once (no warm-up against the registration).
    const denied = await server.api('POST', '/v1/authorize', { action: 'send', tool: 'gmail-api:send', resource: { type: 'mail', id: 'm1' } }, { token: issued.body.access_token });
    expect(denied.body.decision).toBe('deny');
    await server.runtime.audit.flush();
    await server.runtime.monitoring.idle();

    const { status, type, text } = await scrape(server);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    expect(text).toMatch(/^mandate_oauth_tokens_issued_total\{grant_type="client_credentials"\} [1-9]/m);
    expect(text).toMatch(/^mandate_oauth_token_requests_refused_total\{error="invalid_client"\} [1-9]/m);
    expect(text).toMatch(new RegExp(`^mandate_oauth_client_auth_failures_total\\{client_id="${agent.clientId}"\\} 1`, 'm'));
    expect(text).toMatch(/^mandate_decisions_total\{decision="deny"\} 1$/m);
    expect(text).toMatch(/^mandate_monitoring_alerts_total\{signal="scope_usage",severity="high"\} 1$/m);
    expect(text).toMatch(/^mandate_approvals_pending 0$/m);
    expect(text).toMatch(/^mandate_leases_live 0$/m);
    expect(text).toMatch(/^mandate_certificates_issued_total 0$/m);
    expect(text).toMatch(/^mandate_http_request_duration_seconds_count\{method="POST",route="\/v1\/authorize",status_code="200"\} 1$/m);

    const alerts = await server.api('GET', `/v1/alerts?agent=${agent.id}&signal=scope_usage`);
    expect(alerts.body.items[0]).toMatchObject({ severity: 'high', window: 'event', reason: "tool 'gmail-api:send' is not among the agent's registered tools" });
  });

  it('reads gauges and counters other contexts feed through its ports', async () => {
    server.runtime.metrics.readLeasesLive(() => 7);
    server.runtime.metrics.certificateIssued();
    const { text } = await scrape(server);
    expect(text).toMatch(/^mandate_leases_live 7$/m);
    expect(text).toMatch(/^mandate_certificates_issued_total 1$/m);
  });

  it('is served to loopback only without a token, and only with the token when one is configured', async () => {
    const remote = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().message).toContain('monitoring.metricsToken');

    expect((await scrape(guarded)).status).toBe(401);
    expect((await scrape(guarded, { authorization: 'Bearer wrong-token-wrong-token-00000' })).status).toBe(401);
    const ok = await scrape(guarded, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(ok.status).toBe(200);
    const remoteWithToken = await guarded.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(remoteWithToken.statusCode).toBe(200);
  });

  it('serves every metric the Grafana dashboard and the Prometheus rules in deploy/ reference', async () => {
    const names = served((await scrape(server)).text);
    const dashboard = JSON.parse(readFileSync(join(deployDir, 'grafana/mandate-dashboard.json'), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const dashboardNames = metricNames(dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n'));
    const ruleNames = metricNames(readFileSync(join(deployDir, 'prometheus/mandate-alerts.yml'), 'utf8'));
    expect(dashboardNames.size).toBeGreaterThan(8);
    expect(ruleNames.size).toBeGreaterThan(5);
    expect([...dashboardNames, ...ruleNames].filter((name) => !names.has(name))).toEqual([]);
    // And the check can fail: a name that is not served is caught.
    expect(metricNames('rate(mandate_no_such_metric_total[5m])').has('mandate_no_such_metric_total') && !names.has('mandate_no_such_metric_total')).toBe(true);
  });
});
