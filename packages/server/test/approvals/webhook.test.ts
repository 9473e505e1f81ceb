import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebhookNotifier } from '../../src/approvals/webhook.js';
import { ManualClock } from '../../src/shared/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { auditOf, fileResource, realAgent, startOAuthServer } from './support.js';

const SECRET = 'whsec-test-0123456789abcdef';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real webhook receiver on 127.0.0.1. Each request takes the next planned answer (a status,
 * or 'hold' to keep the request open until `release()`); with no plan left it answers 204.
 */
class Receiver {
  readonly deliveries: Delivery[] = [];
  private plan: Array<number | 'hold'> = [];
  private held: Array<() => void> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const next = this.plan.shift() ?? 204;
        if (next === 'hold') {
          this.held.push(() => res.writeHead(200).end('ok'));
          return;
        }
        res.writeHead(next).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/approvals`;
  }

  answer(...plan: Array<number | 'hold'>): void {
    this.plan = plan;
    this.deliveries.length = 0;
  }

  release(): void {
    for (const finish of this.held.splice(0)) finish();
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** What a receiver does, written independently of Mandate's own helper. */
function verify(delivery: Delivery, secret = SECRET): boolean {
  const header = String(delivery.headers['x-mandate-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${delivery.body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

describe.each(storeKinds())('approval webhook on %s', (kind) => {
  const receiver = new Receiver();
  let server: TestServer;
  let agentToken: string;
  let agentId: string;

  const ask = async (id: string, context?: Record<string, unknown>) => {
    const res = await server.api('POST', '/v1/approvals', { action: 'delete', tool: 'files', resource: fileResource(id), reason: 'cleanup', ...(context ? { context } : {}) }, { token: agentToken });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  };

  beforeAll(async () => {
    await receiver.start();
    server = await startOAuthServer(kind, {
      config: { approvals: { webhookUrl: receiver.url, webhookSecret: SECRET, webhookAttempts: 3, webhookBackoffMs: 5, webhookTimeoutMs: 10_000 } },
    });
    const agent = await realAgent(server, `webhook bot ${kind}`);
    agentId = agent.id;
    agentToken = await agent.token();
  });
  afterAll(async () => {
    await server?.stop();
    await receiver.stop();
  });
  beforeEach(() => receiver.answer());

  it('posts a signed JSON notification for each new request, retrying a failing receiver', async () => {
    receiver.answer(500, 500, 200);
    const asked = await ask('retry.txt', { amount: '150', invoice: { id: 'inv-7' } });
    await server.runtime.approvals.notifier!.idle!();

    expect(receiver.deliveries).toHaveLength(3);
    for (const delivery of receiver.deliveries) {
      expect(verify(delivery)).toBe(true);
      expect(verify(delivery, 'some-other-secret-value')).toBe(false);
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['x-mandate-event']).toBe('approval.requested');
    }
    const ids = new Set(receiver.deliveries.map((d) => d.headers['x-mandate-delivery']));
    expect(ids.size).toBe(1);
    const payload = JSON.parse(receiver.deliveries[0]!.body);
    expect(payload).toMatchObject({
      type: 'approval.requested',
      approval: { id: asked.id, status: 'pending', agent_id: agentId, action: 'delete', tool: 'files', resource: fileResource('retry.txt'), reason: 'cleanup' },
    });
    // The receiver sees everything the approval is bound to: the caller's context and the chain.
    expect(payload.approval.request_context).toEqual({ amount: '150', invoice: { id: 'inv-7' } });
    expect(payload.approval.chain).toEqual([{ sub: agentId, client_id: expect.stringMatching(/.+/) }]);

    const attempts = (await auditOf(server, asked.id)).filter((e) => e.type.startsWith('approval.notif'));
    expect(attempts.map((e) => [e.type, e.outcome, e.details.attempt, e.details.status])).toEqual([
      ['approval.notify_failed', 'failure', 1, 500],
      ['approval.notify_failed', 'failure', 2, 500],
      ['approval.notified', 'success', 3, 200],
    ]);
    expect(attempts.map((e) => e.details.retry_in_ms)).toEqual([5, 10, undefined]);
    // Only the host is recorded: hook paths often carry tokens.
    expect(JSON.stringify(attempts)).not.toContain('/hooks/approvals');
    expect(JSON.stringify(attempts)).not.toContain(SECRET);
  });

  it('gives up after the configured attempts and says so in the audit log', async () => {
    receiver.answer(503, 503, 503, 503);
    const asked = await ask('down.txt');
    await server.runtime.approvals.notifier!.idle!();
    expect(receiver.deliveries).toHaveLength(3);
    const attempts = (await auditOf(server, asked.id)).filter((e) => e.type.startsWith('approval.notif'));
    expect(attempts.map((e) => e.type)).toEqual(['approval.notify_failed', 'approval.notify_failed', 'approval.notify_failed']);
    expect(attempts[2]!.details.gave_up).toBe(true);
    // The request itself is unaffected.
    expect((await server.api('GET', `/v1/approvals/${asked.id}`)).body.status).toBe('pending');
  });

  it('never holds up the request that created the approval', async () => {
    receiver.answer('hold');
    const asked = await ask('slow.txt');
    // The agent already has its answer while the receiver still holds the notification open.
    await vi.waitFor(() => expect(receiver.deliveries).toHaveLength(1), { timeout: 10_000, interval: 5 });
    expect((await auditOf(server, asked.id)).some((e) => e.type.startsWith('approval.notif'))).toBe(false);
    receiver.release();
    await server.runtime.approvals.notifier!.idle!();
    expect((await auditOf(server, asked.id)).filter((e) => e.type === 'approval.notified')).toHaveLength(1);
  });

  it('backs off exponentially between attempts (injected sleep)', async () => {
    receiver.answer(500, 500, 500, 204);
    const delays: number[] = [];
    const notifier = new WebhookNotifier(
      { url: receiver.url, secret: SECRET, attempts: 4, backoffMs: 1_000, timeoutMs: 10_000 },
      { clock: server.runtime.clock, audit: server.runtime.audit, sleep: async (ms) => void delays.push(ms) },
    );
    const approval = await server.runtime.approvals.get((await ask('backoff.txt')).id);
    await server.runtime.approvals.notifier!.idle!();
    receiver.answer(500, 500, 500, 204);
    notifier.deliver(approval);
    await notifier.idle();
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    expect(receiver.deliveries).toHaveLength(4);
    expect(receiver.deliveries.every((d) => verify(d))).toBe(true);
  });
});

describe('approval webhook settings', () => {
  it('refuses a webhook URL without a secret', async () => {
    await expect(startTestServer({ config: { approvals: { webhookUrl: 'http://127.0.0.1:9/hook' } } })).rejects.toThrow(/approvals\.webhookSecret/);
  });
});

describe('approval webhook across a restart', () => {
  it('sends again, once, a request whose delivery the stopped process never finished', async () => {
    const receiver = new Receiver();
    await receiver.start();
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
    const config = { approvals: { webhookUrl: receiver.url, webhookSecret: SECRET, webhookAttempts: 2, webhookBackoffMs: 5, webhookTimeoutMs: 10_000 } };
    const first = await startOAuthServer('sqlite', { clock, config });
    let second: TestServer | undefined;
    try {
      const agent = await realAgent(first, 'restart bot');
      receiver.answer('hold');
      const asked = await first.api('POST', '/v1/approvals', { action: 'delete', tool: 'files', resource: fileResource('restart.txt'), reason: 'cleanup' }, { token: await agent.token() });
      expect(asked.status).toBe(201);
      await vi.waitFor(() => expect(receiver.deliveries).toHaveLength(1), { timeout: 10_000, interval: 5 });
      // The process stops while the receiver holds the notification: the delivery never finishes.
      await first.stop();
      receiver.answer();
      second = await startTestServer({ location: first.location, clock, config });
      // Nothing is sent again before a delivery's longest run (2 × 10 s + 5 ms) and a minute have passed...
      clock.advance(60_000);
      await second.runtime.scheduler.runDue();
      await second.runtime.approvals.notifier!.idle!();
      expect(receiver.deliveries).toHaveLength(0);
      // ...then it is, at the job's next run, once.
      clock.advance(60_000);
      await second.runtime.scheduler.runDue();
      await second.runtime.approvals.notifier!.idle!();
      expect(receiver.deliveries).toHaveLength(1);
      expect(verify(receiver.deliveries[0]!)).toBe(true);
      expect(JSON.parse(receiver.deliveries[0]!.body).approval).toMatchObject({ id: asked.body.id, status: 'pending' });
      clock.advance(61_000);
      await second.runtime.scheduler.runDue();
      await second.runtime.approvals.notifier!.idle!();
      expect(receiver.deliveries).toHaveLength(1);
    } finally {
      await second?.stop();
      await receiver.stop();
    }
  });
});
