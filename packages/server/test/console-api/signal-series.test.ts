import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import { runMandate } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const HOUR = 3_600_000;
const ALPHA_1H = 2 / 25;

/** The charts of the agent detail and alerts pages: signals per bucket with the baseline they were judged against. */
describe.each(storeKinds())('signal series on %s', (kind) => {
  let server: TestServer;
  const t0 = Date.UTC(2026, 11, 2, 0);
  const clock = new ManualClock(t0 + 5 * 60_000);

  const token = (agent: RegisteredAgent, secret = agent.clientSecret) => postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, secret) });
  const settle = async () => {
    await server.runtime.audit.flush();
    await server.runtime.monitoring.idle();
  };

  beforeAll(async () => {
    server = await startOAuthServer(kind, {
      clock,
      config: { monitoring: { signals: { error_rate: { zScore: 6, minCount: 10, severity: 'medium', escalateZScore: 12, escalatedSeverity: 'high', burstPerMinute: 3 } } } },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("rebuilds an agent's six signals per hour from the audit log, with the monitor's baselines", async () => {
    const agent = await registerAgent(server);
    // Hour h gets h + 1 tokens.
    let last = '';
    for (let h = 0; h < 8; h += 1) {
      for (let i = 0; i <= h; i += 1) last = (await token(agent)).body.access_token;
      if (h < 7) clock.advance(HOUR);
    }
    // In the last hour: a read of another user's calendar, one denied write, two failed authentications.
    const ask = (action: string, owner: string) => server.api('POST', '/v1/authorize', { action, tool: 'google-calendar-api:events.list', resource: { type: 'calendar', id: 'c1', owner } }, { token: last });
    const crossUser = (await ask('read', 'bob@example.com')).body.decision;
    expect(['allow', 'deny']).toContain(crossUser);
    expect((await ask('launch', 'alice@example.com')).body.decision).toBe('deny');
    for (let i = 0; i < 2; i += 1) expect((await token(agent, 'wrong-secret-wrong-secret')).status).toBe(401);
    await settle();

    const res = await server.api('GET', `/v1/agents/${agent.id}/signals?window=1h&buckets=8`);
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({ agent_id: agent.id, window: '1h', bucket_seconds: 3600, complete: true });
    expect(s.times).toEqual(Array.from({ length: 8 }, (_, h) => new Date(t0 + h * HOUR).toISOString()));
    expect(Object.keys(s.signals).sort()).toEqual(['action_velocity', 'auth_frequency', 'cross_user', 'delegation_depth', 'error_rate', 'scope_usage']);
    expect(s.signals.auth_frequency.observed).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The baseline learns with the monitor's arithmetic: before hour 1 it had seen one bucket of 1.
    expect(s.signals.auth_frequency.mean[0]).toBe(0);
    expect(s.signals.auth_frequency.mean[1]).toBeCloseTo(ALPHA_1H * 1, 10);
    expect(s.signals.auth_frequency.mean[2]).toBeCloseTo(ALPHA_1H + ALPHA_1H * (2 - ALPHA_1H), 10);
    // The 1h window alerts only after 6 buckets of history: no threshold before.
    expect(s.signals.auth_frequency.threshold.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(s.signals.auth_frequency.threshold[6]).toBeGreaterThan(s.signals.auth_frequency.mean[6]);
    expect(s.signals.action_velocity.observed).toEqual([0, 0, 0, 0, 0, 0, 0, 2]);
    expect(s.signals.cross_user.observed).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    // The denied decision and the two failed authentications (named only by client_id).
    expect(s.signals.error_rate.observed).toEqual([0, 0, 0, 0, 0, 0, 0, (crossUser === 'deny' ? 2 : 1) + 2]);
    // First uses: the token's three scopes in hour 0, the tool in hour 7.
    expect(s.signals.scope_usage.observed).toEqual([3, 0, 0, 0, 0, 0, 0, 1]);
    expect(s.signals.delegation_depth.observed).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.signals.action_velocity.kind).toBe('rate');
    expect(s.signals.scope_usage.kind).toBe('event');

    // The minute window over the last ten minutes.
    const minutes = await server.api('GET', `/v1/agents/${agent.id}/signals?window=1m&buckets=10`);
    expect(minutes.body.times).toHaveLength(10);
    expect(minutes.body.signals.auth_frequency.observed.reduce((a: number, b: number) => a + b, 0)).toBe(8);

    expect((await server.api('GET', `/v1/agents/${agent.id}/signals?window=5m`)).status).toBe(400);
    expect((await server.api('GET', `/v1/agents/${agent.id}/signals?buckets=501`)).status).toBe(400);
    expect((await server.api('GET', `/v1/agents/${agent.id}/signals?buckets=0`)).status).toBe(400);
    expect((await server.api('GET', '/v1/agents/agent-nobody/signals')).status).toBe(404);
    expect((await server.api('GET', `/v1/agents/${agent.id}/signals`, undefined, { token: null })).status).toBe(401);

    const global = ['--url', server.url, '--token', server.adminToken];
    const table = await runMandate([...global, 'agent', 'signals', agent.id, '--buckets', '8']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^TIME\s+AUTH_FREQUENCY/);
    expect(table.stdout).toContain('8 / ');
    expect((await runMandate([...global, 'agent', 'signals', agent.id, '--window', '2h'])).code).toBe(2);
    expect((await runMandate([...global, 'agent', 'signals', agent.id, '--buckets', '0'])).code).toBe(2);
  });

  it("charts an alert: its signal's observed value against the baseline around when it was raised", async () => {
    const agent = await registerAgent(server);
    expect((await token(agent)).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await token(agent, 'wrong-secret-wrong-secret')).status).toBe(401);
    await settle();
    const alert = (await server.api('GET', `/v1/alerts?agent=${agent.id}`)).body.items[0];
    expect(alert).toMatchObject({ signal: 'error_rate', window: '1m', observed: 3 });

    const res = await server.api('GET', `/v1/alerts/${alert.id}/series?buckets=12`);
    expect(res.status).toBe(200);
    expect(res.body.alert).toEqual(alert);
    const series = res.body.series;
    expect(series).toMatchObject({ agent_id: agent.id, window: '1m', bucket_seconds: 60 });
    expect(Object.keys(series.signals)).toEqual(['error_rate']);
    const at = series.times.indexOf(new Date(Math.floor(Date.parse(alert.raised_at) / 60_000) * 60_000).toISOString());
    expect(at).toBeGreaterThanOrEqual(0);
    expect(series.signals.error_rate.observed[at]).toBe(3);
    expect((await server.api('GET', '/v1/alerts/alr_nothing/series')).status).toBe(404);
    expect((await server.api('GET', `/v1/alerts/${alert.id}/series?buckets=1000`)).status).toBe(400);

    const global = ['--url', server.url, '--token', server.adminToken];
    const chart = await runMandate([...global, 'alerts', 'chart', alert.id, '--buckets', '5']);
    expect(chart.code).toBe(0);
    expect(chart.stdout).toContain(alert.reason);
    expect(chart.stdout).toMatch(/TIME\s+ERROR_RATE/);
    expect(chart.stdout).toContain('3! / 0');
  });
});
