import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignatureHeader, SIGNATURE_HEADER } from '../../src/approvals/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const WEBHOOK_SECRET = 'whsec-monitoring-0123456789';
const BURST = 10;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver for the alert webhook. */
async function webhookReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/hooks/mandate`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.each(storeKinds())('alerts, auto-suspend and the webhook on %s', (kind) => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  const clock = new ManualClock(Date.UTC(2026, 11, 2, 9));

  const token = async (agent: RegisteredAgent, secret = agent.clientSecret) => postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, secret) });
  /** Everything audited so far has reached the monitor and every alert it raised is written. */
  const settle = async () => {
    await server.runtime.audit.flush();
    await server.runtime.monitoring.idle();
  };

  beforeAll(async () => {
    receiver = await webhookReceiver();
    server = await startOAuthServer(kind, {
      clock,
      config: {
        monitoring: {
          autoSuspendSeverities: ['high', 'critical'],
          webhookUrl: receiver.url,
          webhookSecret: WEBHOOK_SECRET,
          signals: { error_rate: { zScore: 6, minCount: 10, severity: 'medium', escalateZScore: 12, escalatedSeverity: 'high', burstPerMinute: BURST } },
        },
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  it('a burst of failed authentications suspends the agent, its tokens stop working, and an operator resumes it', async () => {
    const agent = await registerAgent(server);
    const before = await token(agent);
    expect(before.status).toBe(200);
    const accessToken = before.body.access_token as string;
    const authorize = () => server.api('POST', '/v1/authorize', { action: 'read', tool: 'google-calendar-api:events.list', resource: { type: 'calendar', id: 'c1', owner: 'alice@example.com' } }, { token: accessToken });
    expect((await authorize()).status).toBe(200);

    for (let i = 0; i < BURST; i += 1) expect((await token(agent, 'wrong-secret-wrong-secret')).status).toBe(401);
    await settle();

    const alerts = await server.api('GET', `/v1/alerts?agent=${agent.id}`);
    expect(alerts.status).toBe(200);
    expect(alerts.body.items).toHaveLength(1);
    const alert = alerts.body.items[0];
    expect(alert).toMatchObject({ agent_id: agent.id, signal: 'error_rate', window: '1m', severity: 'high', observed: BURST, status: 'open', agent_suspended: true });
    expect(alert.sample_seqs).toHaveLength(5);
    // The samples are the refusals' audit entries.
    const sample = await server.runtime.auditReader.page({ afterSeq: alert.sample_seqs[4] - 1, order: 'asc' }, 1);
    expect(sample.entries[0]).toMatchObject({ seq: alert.sample_seqs[4], type: 'oauth.token.refused' });

    expect((await server.api('GET', `/v1/agents/${agent.id}`)).body.status).toBe('suspended');
    expect((await authorize()).status).toBe(401);
    expect((await token(agent)).status).toBe(401);
    const suspendedBy = await server.runtime.auditReader.page({ type: 'agent.suspended', agent: agent.id }, 5);
    expect(suspendedBy.entries[0]).toMatchObject({ actor: { kind: 'system', id: 'monitoring' } });
    expect(JSON.stringify(suspendedBy.entries[0]!.details)).toContain(alert.id);

    expect((await server.api('POST', `/v1/agents/${agent.id}/resume`, { reason: 'secret rotated; the failures were a stale deployment' })).status).toBe(200);
    expect((await token(agent)).status).toBe(200);
  });

  it('delivers each alert to the webhook, signed as approvals are', async () => {
    const agent = await registerAgent(server);
    for (let i = 0; i < BURST; i += 1) await token(agent, 'wrong-secret-wrong-secret');
    await settle();
    const deadline = Date.now() + 5_000;
    let delivery: Received | undefined;
    while (!delivery && Date.now() < deadline) {
      delivery = receiver.received.find((r) => JSON.parse(r.body).alert?.agent_id === agent.id);
      if (!delivery) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(delivery, 'no webhook delivery').toBeDefined();
    expect(delivery!.headers['x-mandate-event']).toBe('monitoring.alert');
    const signature = delivery!.headers[SIGNATURE_HEADER] as string;
    expect(verifySignatureHeader(WEBHOOK_SECRET, signature, delivery!.body, Math.floor(clock.now() / 1000))).toBe(true);
    expect(verifySignatureHeader('another-secret-0123456789', signature, delivery!.body, Math.floor(clock.now() / 1000))).toBe(false);
    expect(JSON.parse(delivery!.body)).toMatchObject({ type: 'monitoring.alert', alert: { signal: 'error_rate', severity: 'high', agent_suspended: true } });
  });

  it('lists, acknowledges and resolves alerts; refuses what is not allowed', async () => {
    const agent = await registerAgent(server);
    for (let i = 0; i < BURST; i += 1) await token(agent, 'wrong-secret-wrong-secret');
    await settle();
    const [alert] = (await server.api('GET', `/v1/alerts?agent=${agent.id}&status=open`)).body.items;
    expect(alert).toBeDefined();

    const acked = await server.api('POST', `/v1/alerts/${alert.id}/ack`, { note: 'looking' });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', note: 'looking' });
    expect(acked.body.acknowledged_by).toBeTruthy();
    expect((await server.api('POST', `/v1/alerts/${alert.id}/ack`, {})).status).toBe(409);
    // No body at all is an empty one (the note is optional).
    expect((await server.api('POST', '/v1/alerts/alr_nope/resolve')).status).toBe(404);
    const resolved = await server.api('POST', `/v1/alerts/${alert.id}/resolve`, { note: 'stale deployment' });
    expect(resolved.body).toMatchObject({ status: 'resolved', note: 'stale deployment' });
    const again = await server.api('POST', `/v1/alerts/${alert.id}/resolve`, {});
    expect(again.status).toBe(409);
    expect(again.body.message).toContain("allowed from 'resolved': none");

    expect((await server.api('GET', `/v1/alerts?agent=${agent.id}&status=open`)).body.items).toEqual([]);
    expect((await server.api('GET', `/v1/alerts/${alert.id}`)).body.status).toBe('resolved');
    expect((await server.api('GET', '/v1/alerts/alr_nope')).status).toBe(404);
    expect((await server.api('GET', '/v1/alerts?status=closed')).status).toBe(400);
    expect((await server.api('GET', '/v1/alerts?cursor=bm9wZQ')).status).toBe(400);
    expect((await server.api('POST', `/v1/alerts/${alert.id}/ack`, { note: 'x'.repeat(2001) })).status).toBe(400);
    expect((await server.api('GET', '/v1/alerts', undefined, { token: null })).status).toBe(401);
    const audit = await server.runtime.auditReader.page({ type: 'monitoring.alert.*', subject: alert.id, order: 'asc' }, 10);
    // (The webhook's delivery attempts are audited too: monitoring.alert.notified.)
    expect(audit.entries.map((e) => e.type).filter((t) => t !== 'monitoring.alert.notified')).toEqual(['monitoring.alert.raised', 'monitoring.alert.acknowledged', 'monitoring.alert.resolved']);

    // Paging: newest first, each page's cursor leads to the next.
    const first = await server.api('GET', '/v1/alerts?limit=1');
    expect(first.body.items).toHaveLength(1);
    const second = await server.api('GET', `/v1/alerts?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body.items[0].raised_at <= first.body.items[0].raised_at).toBe(true);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('counts a failed authentication only against a client_id that is an agent (guessed ids grow nothing)', async () => {
    const tracked = server.runtime.metrics.registry.getSingleMetric('mandate_monitoring_agents_tracked');
    const before = (await tracked!.get()).values[0]!.value;
    for (let i = 0; i < 3; i += 1) await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(`no-such-agent-${i}`, 'guess-guess-guess') });
    await settle();
    expect((await tracked!.get()).values[0]!.value).toBe(before);
  });
});
