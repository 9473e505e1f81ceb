// Issue 10 item 1: a submitted policy must not stall the server. The attack review's module
// (a 200,000-element list marshalled 150 times in a comprehension) ran 32.8 s in a replay and
// held every other request meanwhile. The engine now charges builtins by size and stops at the
// evaluation limit; replay and the data API run in the sandbox's worker threads within a total
// budget (policy.workerBudgetMs), so the event loop keeps answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { calendarRead, operatorToken, policyAgent, putPolicy, startOAuthServer } from './support.js';

const RUNAWAY = `package mandate.authz
import rego.v1
big := numbers.range(1, 200000)
burn := count([1 | some i in numbers.range(1, 150); json.marshal(big)])
deny contains "x" if burn > 0
`;

async function logDecisions(server: TestServer, count: number): Promise<void> {
  const agent = await policyAgent(server, { name: `victim ${Math.random()}` });
  const token = await agent.token();
  for (let i = 0; i < count; i++) {
    const res = await server.api('POST', '/v1/authorize', calendarRead(), { token });
    expect(res.status).toBe(200);
  }
  await server.runtime.audit.flush();
}

/** Latency of GET /healthz, repeated until `done` settles; returns the slowest. */
async function slowestHealthz(server: TestServer, done: Promise<unknown>): Promise<{ slowestMs: number; answered: number }> {
  let finished = false;
  void done.finally(() => (finished = true));
  let slowestMs = 0;
  let answered = 0;
  while (!finished) {
    const started = performance.now();
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    await res.text();
    answered += 1;
    slowestMs = Math.max(slowestMs, performance.now() - started);
  }
  return { slowestMs, answered };
}

describe.each(storeKinds())('runaway policies on %s', (kind) => {
  describe('with the default limits', () => {
    let server: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));

    beforeAll(async () => {
      server = await startOAuthServer(kind, { clock });
      await logDecisions(server, 3);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("stops the attack review's replay (as an auditor) at the evaluation limit: each decision fails closed", async () => {
      const auditor = await operatorToken(server, `auditor-${kind}`, ['auditor']);
      const res = await server.api('POST', '/v1/policies/replay', { modules: { 'c.rego': RUNAWAY }, since: '1h', limit: 3 }, { token: auditor });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.evaluated).toBe(3);
      expect(res.body.changed).toHaveLength(3);
      for (const change of res.body.changed) expect(change).toMatchObject({ before: 'allow', after: 'deny', reasons_after: ['policy_error'] });
    });

    it('stops POST /v1/data on the same module with the engine limit error (422)', async () => {
      expect((await putPolicy(server, 'c.rego', RUNAWAY.replace('package mandate.authz', 'package runaway'))).status).toBe(200);
      const res = await server.api('POST', '/v1/data/runaway/burn', { input: {} });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.errors[0].code).toBe('eval_cancel_error');
      expect(res.body.errors[0].message).toMatch(/exceeded the (step|time) limit/);
    });
  });

  describe('with the engine limits out of reach, only the worker budget', () => {
    let server: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
    const BUDGET_MS = 1_500;

    beforeAll(async () => {
      const policy = { maxSteps: 1_000_000_000_000, maxEvalMs: 600_000, workerBudgetMs: BUDGET_MS };
      server = await startOAuthServer(kind, { clock, config: { policy } });
      await logDecisions(server, 3);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('answers other requests while a runaway replay runs, then stops it with a 422 naming policy.workerBudgetMs', async () => {
      const started = performance.now();
      const replay = server.api('POST', '/v1/policies/replay', { modules: { 'c.rego': RUNAWAY }, since: '1h', limit: 3 });
      const health = await slowestHealthz(server, replay);
      const res = await replay;
      const replayMs = performance.now() - started;
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.error).toBe('evaluation_budget_exceeded');
      expect(res.body.message).toMatch(/policy\.workerBudgetMs \(1500 ms\)/);
      // The event loop kept answering: no health check waited for the runaway. On the event
      // loop, one of them would have waited about as long as the whole replay.
      expect(replayMs).toBeGreaterThanOrEqual(BUDGET_MS);
      expect(health.answered).toBeGreaterThan(1);
      expect(health.slowestMs).toBeLessThan(replayMs / 2);
      // and a token request is answered meanwhile too, long before the runaway is stopped
      const agent = await policyAgent(server, { name: `during replay ${kind}` });
      const againStarted = performance.now();
      const again = server.api('POST', '/v1/policies/replay', { modules: { 'c.rego': RUNAWAY }, since: '1h', limit: 3 });
      await agent.token();
      const tokenMs = performance.now() - againStarted;
      expect((await again).status).toBe(422);
      expect(tokenMs).toBeLessThan((performance.now() - againStarted) * 0.75);
    });

    it('stops a runaway POST /v1/data at the budget too', async () => {
      expect((await putPolicy(server, 'c.rego', RUNAWAY.replace('package mandate.authz', 'package runaway'))).status).toBe(200);
      const res = await server.api('POST', '/v1/data/runaway/burn', { input: {} });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.error).toBe('evaluation_budget_exceeded');
      // a normal evaluation afterwards works (a fresh worker)
      const ok = await server.api('POST', '/v1/data/runaway/big', { input: {} });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body.result).toHaveLength(200_000);
    });
  });
});
