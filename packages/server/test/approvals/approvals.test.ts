import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApprovalService } from '../../src/approvals/service.js';
import type { BoundRequest } from '../../src/approvals/types.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { auditOf, createOperators, fileResource, realAgent, startOAuthServer, TestAgents, type Operators, type RealAgent } from './support.js';

const TTL_SECONDS = 900;

describe.each(storeKinds())('human approvals over HTTP on %s', (kind) => {
  let server: TestServer;
  let agents: TestAgents;
  let ops: Operators;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  let agentA: string;
  let agentB: string;
  let tokenA: string;
  let tokenB: string;

  let realA: RealAgent;
  let realB: RealAgent;

  /** An agent asks over HTTP; returns the approval as the API shows it. */
  const ask = async (token: string, overrides: Record<string, unknown> = {}) => {
    const res = await server.api(
      'POST',
      '/v1/approvals',
      { action: 'delete', tool: 'files', resource: fileResource(), reason: 'the quarterly report was superseded', ...overrides },
      { token },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  // The request as the decision point presents it: the agent's own token, so the chain is the agent alone.
  const presented = (agentId: string, overrides: Partial<BoundRequest> = {}): BoundRequest => ({
    agentId,
    action: 'delete',
    tool: 'files',
    resource: fileResource(),
    onBehalfOf: null,
    requestContext: {},
    chain: [{ sub: agentId, client_id: [realA, realB].find((a) => a.id === agentId)?.clientId ?? agentId }],
    ...overrides,
  });

  const approve = (id: string, token: string, reason?: string) => server.api('POST', `/v1/approvals/${id}/approve`, reason ? { reason } : {}, { token });
  const deny = (id: string, token: string, reason?: string) => server.api('POST', `/v1/approvals/${id}/deny`, reason ? { reason } : {}, { token });

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock, config: { approvals: { twoPersonActions: ['admin'] } } });
    agents = new TestAgents(server);
    ops = await createOperators(server, kind);
    realA = await realAgent(server, `approvals bot ${kind} A`);
    realB = await realAgent(server, `approvals bot ${kind} B`);
    agentA = realA.id;
    agentB = realB.id;
    tokenA = await realA.token();
    tokenB = await realB.token();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs the whole flow: agent asks, approver approves, one consumption succeeds, the second is refused', async () => {
    const asked = await ask(tokenA);
    expect(asked).toMatchObject({
      status: 'pending',
      agent_id: agentA,
      action: 'delete',
      tool: 'files',
      resource: fileResource(),
      reason: 'the quarterly report was superseded',
      origin: 'agent',
      on_behalf_of: null,
      required_approvals: 1,
      approvals: [],
      decided_by: null,
    });
    expect(asked.binding_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(asked.expires_at) - Date.parse(asked.created_at)).toBe(TTL_SECONDS * 1000);

    const pendingList = await server.api('GET', '/v1/approvals?status=pending', undefined, { token: ops.approver });
    expect(pendingList.status).toBe(200);
    expect(pendingList.body.items.map((a: { id: string }) => a.id)).toContain(asked.id);

    // Not yet approved: consumption is refused as pending.
    expect(await server.runtime.approvals.consume(asked.id, presented(agentA))).toMatchObject({ ok: false, code: 'pending' });

    const approved = await approve(asked.id, ops.approver, 'checked with finance');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decided_by: `op-ann-${kind}`, decision_reason: 'checked with finance' });
    expect(approved.body.approvals).toHaveLength(1);

    const first = await server.runtime.approvals.consume(asked.id, presented(agentA));
    expect(first.ok).toBe(true);
    expect(first.ok && first.approval.status).toBe('used');
    const second = await server.runtime.approvals.consume(asked.id, presented(agentA));
    expect(second).toMatchObject({ ok: false, code: 'used' });

    const shown = await server.api('GET', `/v1/approvals/${asked.id}`, undefined, { token: tokenA });
    expect(shown.body).toMatchObject({ status: 'used', used_at: expect.any(String) });

    const trail = await auditOf(server, asked.id);
    expect(trail.map((e) => e.type)).toEqual([
      'approval.requested',
      'approval.consume_refused',
      'approval.approved',
      'approval.used',
      'approval.consume_refused',
    ]);
    expect(trail[0]!.actor).toMatchObject({ kind: 'agent', id: agentA });
    expect(trail[2]!.actor).toMatchObject({ kind: 'operator', id: `op-ann-${kind}` });
    expect(trail[4]!.details.code).toBe('used');
  });

  it('lets exactly one of several concurrent consumptions win', async () => {
    const asked = await ask(tokenA, { resource: fileResource('race.txt') });
    await approve(asked.id, ops.approver);
    const results = await Promise.all(Array.from({ length: 6 }, () => server.runtime.approvals.consume(asked.id, presented(agentA, { resource: fileResource('race.txt') }))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === 'used')).toBe(true);
    const used = (await auditOf(server, asked.id)).filter((e) => e.type === 'approval.used');
    expect(used).toHaveLength(1);
  });

  it('refuses deciders without approvals:decide, the agent itself, and operators in the chain', async () => {
    const asked = await ask(tokenA);
    for (const token of [ops.auditor, ops.owner]) {
      const res = await approve(asked.id, token);
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/may not approvals:decide/);
    }
    const self = await approve(asked.id, tokenA);
    expect(self.status).toBe(403);
    expect(self.body.details).toMatchObject({ code: 'agent_cannot_decide' });
    expect((await deny(asked.id, tokenB)).status).toBe(403);

    // An operator who is a link of the request's delegation chain may not decide it.
    const chained = await server.runtime.approvals.createRequest(
      {
        agentId: agentB,
        chain: [{ sub: 'carol@example.com' }, { sub: `op-ben-${kind}` }, { sub: agentB }],
        onBehalfOf: 'carol@example.com',
        action: 'delete',
        tool: 'files',
        resource: fileResource(),
        reason: 'chained',
        origin: 'decision',
      },
      { kind: 'agent', id: agentB },
    );
    const inChain = await approve(chained.id, ops.approver2);
    expect(inChain.status).toBe(403);
    expect(inChain.body.details).toMatchObject({ code: 'party_to_request' });
    expect((await approve(chained.id, ops.approver)).body.status).toBe('approved');

    expect((await server.api('GET', `/v1/approvals/${asked.id}`)).body).toMatchObject({ status: 'pending', approvals: [] });
    const refused = (await auditOf(server, asked.id)).filter((e) => e.type === 'approval.decide_refused');
    expect(refused.map((e) => e.details.code)).toEqual(['not_permitted', 'not_permitted', 'agent_cannot_decide', 'agent_cannot_decide']);
    expect(refused.every((e) => e.outcome === 'denied')).toBe(true);
  });

  it('binds an approval to its request: another action, tool, resource, user, context, chain or agent is refused', async () => {
    const asked = await ask(tokenA, { resource: fileResource('bound.txt') });
    await approve(asked.id, ops.approver);
    const bound = presented(agentA, { resource: fileResource('bound.txt') });
    const attempts: Array<[Partial<BoundRequest>, string]> = [
      [{ action: 'read' }, 'mismatch'],
      [{ tool: 'shell' }, 'mismatch'],
      [{ resource: fileResource('other.txt') }, 'mismatch'],
      [{ resource: { ...fileResource('bound.txt'), sensitivity: 'public' } }, 'mismatch'],
      [{ onBehalfOf: 'mallory@example.com' }, 'mismatch'],
      [{ requestContext: { amount: '1000000' } }, 'mismatch'],
      [{ chain: [{ sub: 'mallory@example.com' }, ...bound.chain!] }, 'mismatch'],
      [{ agentId: agentB }, 'wrong_agent'],
    ];
    for (const [change, code] of attempts) {
      expect(await server.runtime.approvals.consume(asked.id, { ...bound, ...change }), JSON.stringify(change)).toMatchObject({ ok: false, code });
    }
    expect(await server.runtime.approvals.consume('apr_nope', bound)).toMatchObject({ ok: false, code: 'not_found' });
    // `check` answers the same without spending it.
    expect(await server.runtime.approvals.check(asked.id, { ...bound, tool: 'shell' })).toMatchObject({ ok: false, code: 'mismatch' });
    expect(await server.runtime.approvals.check(asked.id, bound)).toMatchObject({ ok: true, approval: { status: 'approved' } });
    // None of the refusals spent it.
    expect((await server.runtime.approvals.consume(asked.id, bound)).ok).toBe(true);
    expect(await server.runtime.approvals.check(asked.id, bound)).toMatchObject({ ok: false, code: 'used' });
    const refusals = (await auditOf(server, asked.id)).filter((e) => e.type === 'approval.consume_refused').map((e) => e.details.code);
    expect(refusals).toEqual(['mismatch', 'mismatch', 'mismatch', 'mismatch', 'mismatch', 'mismatch', 'mismatch', 'wrong_agent', 'mismatch', 'used']);
  });

  it('carries a denial reason to the agent and refuses to consume a denied approval', async () => {
    const asked = await ask(tokenA);
    const denied = await deny(asked.id, ops.approver, 'not during the audit');
    expect(denied.body).toMatchObject({ status: 'denied', decision_reason: 'not during the audit', decided_by: `op-ann-${kind}` });
    const seen = await server.api('GET', `/v1/approvals/${asked.id}`, undefined, { token: tokenA });
    expect(seen.body).toMatchObject({ status: 'denied', decision_reason: 'not during the audit' });
    expect(await server.runtime.approvals.consume(asked.id, presented(agentA))).toMatchObject({
      ok: false,
      code: 'denied',
      denialReason: 'not during the audit',
    });
    const again = await approve(asked.id, ops.approver2);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('illegal_transition');
  });

  it('expires pending and approved requests by the clock, and records the expiry once', async () => {
    const pending = await ask(tokenA, { resource: fileResource('old-pending.txt') });
    const approved = await ask(tokenA, { resource: fileResource('old-approved.txt') });
    await approve(approved.id, ops.approver);
    clock.advance(TTL_SECONDS * 1000 + 1);
    try {
      expect((await server.api('GET', `/v1/approvals/${pending.id}`)).body.status).toBe('expired');
      const late = await approve(pending.id, ops.approver);
      expect(late.status).toBe(409);
      expect(await server.runtime.approvals.consume(approved.id, presented(agentA, { resource: fileResource('old-approved.txt') }))).toMatchObject({
        ok: false,
        code: 'expired',
      });
      const expiredList = await server.api('GET', '/v1/approvals?status=expired&limit=1000');
      expect(expiredList.body.items.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([pending.id, approved.id]));
      const pendingList = await server.api('GET', '/v1/approvals?status=pending&limit=1000');
      expect(pendingList.body.items.map((a: { id: string }) => a.id)).not.toContain(pending.id);
      await server.runtime.approvals.sweepExpired();
      for (const id of [pending.id, approved.id]) {
        const expiries = (await auditOf(server, id)).filter((e) => e.type === 'approval.expired');
        expect(expiries).toHaveLength(1);
      }
      const row = await server.runtime.store.db.selectFrom('approvals').select('status').where('id', '=', approved.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('expired');
    } finally {
      // The agents' access tokens expired with the clock move: later tests use fresh ones.
      clock.advance(1000);
      tokenA = await realA.token();
      tokenB = await realB.token();
    }
  });

  it('needs two distinct approvers for two-person actions', async () => {
    const asked = await ask(tokenA, { action: 'admin', resource: { type: 'cluster', id: 'prod' } });
    expect(asked.required_approvals).toBe(2);
    const first = await approve(asked.id, ops.approver, 'looks right');
    expect(first.body).toMatchObject({ status: 'pending', decided_by: null });
    expect(first.body.approvals.map((a: { operator_id: string }) => a.operator_id)).toEqual([`op-ann-${kind}`]);
    expect(await server.runtime.approvals.consume(asked.id, presented(agentA, { action: 'admin', resource: { type: 'cluster', id: 'prod' } }))).toMatchObject({
      ok: false,
      code: 'pending',
    });
    const same = await approve(asked.id, ops.approver);
    expect(same.status).toBe(409);
    expect(same.body.message).toMatch(/second, different approver/);
    const second = await approve(asked.id, ops.approver2);
    expect(second.body).toMatchObject({ status: 'approved', decided_by: `op-ben-${kind}` });
    expect(second.body.approvals.map((a: { operator_id: string }) => a.operator_id)).toEqual([`op-ann-${kind}`, `op-ben-${kind}`]);
    const types = (await auditOf(server, asked.id)).map((e) => e.type);
    expect(types).toEqual(['approval.requested', 'approval.approval_recorded', 'approval.consume_refused', 'approval.approved']);
  });

  it('records both of two simultaneous approvals, and lets only one of approve/deny win', async () => {
    const both = await ask(tokenA, { action: 'admin', resource: { type: 'cluster', id: 'staging' } });
    const answers = await Promise.all([approve(both.id, ops.approver), approve(both.id, ops.approver2)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const final = (await server.api('GET', `/v1/approvals/${both.id}`)).body;
    expect(final.status).toBe('approved');
    expect(final.approvals.map((a: { operator_id: string }) => a.operator_id).sort()).toEqual([`op-ann-${kind}`, `op-ben-${kind}`]);

    const race = await ask(tokenA, { resource: fileResource('approve-or-deny.txt') });
    const [yes, no] = await Promise.all([approve(race.id, ops.approver), deny(race.id, ops.approver2, 'no')]);
    expect([yes.status, no.status].sort()).toEqual([200, 409]);
    const decided = (await auditOf(server, race.id)).filter((e) => e.type === 'approval.approved' || e.type === 'approval.denied');
    expect(decided).toHaveLength(1);
  });

  it('caps the requests one agent may have pending', async () => {
    const capped = new ApprovalService({
      store: server.runtime.store,
      audit: server.runtime.audit,
      clock,
      scheduler: new Scheduler({ clock, logger: createLogger('silent'), autoStart: false }),
      settings: { ...server.config.approvals, maxPendingPerAgent: 2 },
    });
    const request = (id: string) => ({ agentId: 'agt-flood', action: 'delete', tool: 'files', resource: fileResource(id), reason: 'r', origin: 'agent' as const });
    const first = await capped.createRequest(request('f1'), { kind: 'agent', id: 'agt-flood' });
    await capped.createRequest(request('f2'), { kind: 'agent', id: 'agt-flood' });
    await expect(capped.createRequest(request('f3'), { kind: 'agent', id: 'agt-flood' })).rejects.toMatchObject({ code: 'too_many_pending', status: 429 });
    // A decided request frees its place.
    await capped.decide(first.id, 'deny', { kind: 'operator', id: 'op-x', email: 'x@example.com', roles: ['approver'] });
    expect((await capped.createRequest(request('f3'), { kind: 'agent', id: 'agt-flood' })).status).toBe('pending');
    expect(server.config.approvals.maxPendingPerAgent).toBe(50);
  });

  it('shows agents only their own requests', async () => {
    const mine = await ask(tokenA, { resource: fileResource('mine.txt') });
    expect((await server.api('GET', `/v1/approvals/${mine.id}`, undefined, { token: tokenB })).status).toBe(404);
    const listB = await server.api('GET', '/v1/approvals?limit=1000', undefined, { token: tokenB });
    expect(listB.status).toBe(200);
    expect(listB.body.items.every((a: { agent_id: string }) => a.agent_id === agentB)).toBe(true);
    expect(listB.body.items.map((a: { id: string }) => a.id)).not.toContain(mine.id);
    expect((await server.api('GET', `/v1/approvals?agent_id=${agentA}`, undefined, { token: tokenB })).status).toBe(403);
    // Operators without approvals:read cannot list.
    expect((await server.api('GET', '/v1/approvals', undefined, { token: ops.owner })).status).toBe(403);
    // Operators cannot ask on an agent's behalf through the agent endpoint.
    expect((await server.api('POST', '/v1/approvals', { action: 'x', tool: 'y', resource: { type: 'a', id: 'b' }, reason: 'r' })).status).toBe(403);
  });

  it('pages through the queue with a cursor, oldest first', async () => {
    const paged = await realAgent(server, `approvals pager ${kind}`);
    const agent = paged.id;
    const token = await paged.token();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await ask(token, { resource: fileResource(`page-${i}.txt`) })).id);
      clock.advance(10);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/approvals?status=pending&agent_id=${agent}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await server.api('GET', query);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((a: { id: string }) => a.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect((await server.api('GET', '/v1/approvals?cursor=garbage')).status).toBe(400);
  });

  // Token exchange does not issue delegated tokens yet: TestAgents stands in with the same claims.
  it('takes the user and chain from a delegated token and refuses a different on_behalf_of', async () => {
    const delegated = agents.token(agentB, { sub: 'dana@example.com', act: { sub: agentB, client_id: `mcl_${agentB}`, act: { sub: agentA } } });
    const asked = await ask(delegated);
    expect(asked.on_behalf_of).toBe('dana@example.com');
    expect(asked.chain).toEqual([{ sub: 'dana@example.com' }, { sub: agentA }, { sub: agentB, client_id: `mcl_${agentB}` }]);
    const other = await server.api(
      'POST',
      '/v1/approvals',
      { action: 'delete', tool: 'files', resource: fileResource(), reason: 'r', on_behalf_of: 'eve@example.com' },
      { token: delegated },
    );
    expect(other.status).toBe(403);
    expect(await server.runtime.approvals.consume(asked.id, presented(agentB))).toMatchObject({ ok: false, code: 'mismatch' });
  });

  it('validates the request body strictly', async () => {
    const extra = await server.api('POST', '/v1/approvals', { action: 'a', tool: 't', resource: { type: 'f', id: '1' }, reason: 'r', surprise: 1 }, { token: tokenA });
    expect(extra).toMatchObject({ status: 400, body: { message: 'body.surprise is not a known field' } });
    const missing = await server.api('POST', '/v1/approvals', { action: 'a', tool: 't', resource: { type: 'f', id: '1' } }, { token: tokenA });
    expect(missing.body.message).toBe('body.reason is required');
  });

  describe('long-poll', () => {
    it('returns as soon as the request is decided', { timeout: 20_000 }, async () => {
      const asked = await ask(tokenA, { resource: fileResource('poll.txt') });
      const polling = server.api('GET', `/v1/approvals/${asked.id}?wait=30`, undefined, { token: tokenA });
      await vi.waitFor(() => expect(server.runtime.approvals.waiters.size).toBe(1), { timeout: 10_000, interval: 5 });
      await approve(asked.id, ops.approver);
      const answered = await polling;
      expect(answered.status).toBe(200);
      expect(answered.body.status).toBe('approved');
      expect(server.runtime.approvals.waiters.size).toBe(0);
    });

    it('answers at once when the request is already decided, and with wait=0', async () => {
      const asked = await ask(tokenA, { resource: fileResource('poll-done.txt') });
      expect((await server.api('GET', `/v1/approvals/${asked.id}?wait=0`, undefined, { token: tokenA })).body.status).toBe('pending');
      await deny(asked.id, ops.approver, 'no');
      expect((await server.api('GET', `/v1/approvals/${asked.id}?wait=30`, undefined, { token: tokenA })).body).toMatchObject({ status: 'denied', decision_reason: 'no' });
    });

    it('ends the wait when the client goes away', { timeout: 20_000 }, async () => {
      const asked = await ask(tokenA, { resource: fileResource('poll-gone.txt') });
      const controller = new AbortController();
      const request = fetch(`${server.url}/v1/approvals/${asked.id}?wait=30`, { headers: { authorization: `Bearer ${tokenA}` }, signal: controller.signal });
      await vi.waitFor(() => expect(server.runtime.approvals.waiters.size).toBe(1), { timeout: 10_000, interval: 5 });
      controller.abort();
      await expect(request).rejects.toThrow();
      await vi.waitFor(() => expect(server.runtime.approvals.waiters.size).toBe(0), { timeout: 10_000, interval: 5 });
    });

    it('is listed in the OpenAPI document', async () => {
      const { body } = await server.api('GET', '/openapi.json', undefined, { token: null });
      expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/v1/approvals', '/v1/approvals/{id}', '/v1/approvals/{id}/approve', '/v1/approvals/{id}/deny']));
    });

    it('sees a decision made by another replica by re-reading the row', { timeout: 20_000 }, async () => {
      const asked = await ask(tokenA, { resource: fileResource('replica.txt') });
      // A second service on the same store stands in for another replica: it shares no waiters,
      // and has a scheduler of its own.
      const scheduler = new Scheduler({ clock, logger: createLogger('silent'), autoStart: false });
      const replica = new ApprovalService({
        store: server.runtime.store,
        audit: server.runtime.audit,
        clock,
        scheduler,
        settings: { ...server.config.approvals, pollIntervalMs: 20 },
        pollWaits: true,
      });
      const waiting = replica.wait(asked.id, 30);
      await vi.waitFor(() => expect(replica.waiters.size).toBe(1), { timeout: 10_000, interval: 5 });
      await approve(asked.id, ops.approver);
      expect((await waiting).status).toBe('approved');
      expect(replica.waiters.size).toBe(0);
      await scheduler.stop();
    });

    // Last: it stops the suite's server.
    it('answers parked long-polls when the server shuts down', { timeout: 20_000 }, async () => {
      const asked = await ask(tokenA, { resource: fileResource('shutdown.txt') });
      const polling = server.api('GET', `/v1/approvals/${asked.id}?wait=30`, undefined, { token: tokenA });
      await vi.waitFor(() => expect(server.runtime.approvals.waiters.size).toBe(1), { timeout: 10_000, interval: 5 });
      const stopping = server.stop();
      const answered = await polling;
      expect(answered.status).toBe(200);
      expect(answered.body.status).toBe('pending');
      // Within the test's timeout: the answered connection is closed, not left to keep-alive (72 s).
      await stopping;
    });
  });
});
