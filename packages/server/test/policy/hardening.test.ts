/**
 * Issue 10, the decision point's items, as the attack review reproduced them (docs/security.md):
 * 4 the caller no longer picks the policy package; 7 narrowing an agent reaches its live tokens;
 * 2 decisions per agent and the size and depth of `context` and `resource` are limited;
 * 6 too-deep input is refused before any side effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm, registerResourceServer } from '../support/agents.js';
import { calendarRead, operatorToken, policyAgent, putPolicy, startOAuthServer, type PolicyAgent } from './support.js';
import { loggedDecision } from '../support/audit.js';

/** The review's loose package: allows anything. */
const LOOSE = 'package reports.authz\n\nimport rego.v1\n\nallow := true\n';

/** A write on the agent's own files through a tool it does not have, above its ceiling: only a loose package allows it. */
const outOfBounds = {
  action: 'admin',
  tool: 'shell-api:exec',
  resource: { type: 'files', id: 'payroll.xlsx', owner: 'alice@example.com', sensitivity: 'restricted' },
};

const filesWrite = {
  action: 'write',
  tool: 'files-api:files.update',
  resource: { type: 'files', id: 'notes.txt', owner: 'alice@example.com', sensitivity: 'internal' },
};

/** `{"a":{"a":…1…}}` nested `depth` levels: built as text, as the review sent it. */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe.each(storeKinds())('the decision point\'s hardening (issue 10) on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  let agent: PolicyAgent;
  let token: string;

  const authorize = (body: Record<string, unknown> | string, as: string | null = token, headers: Record<string, string> = {}) =>
    server.api('POST', '/v1/authorize', body, { token: as, headers });

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    agent = await policyAgent(server, {
      name: `hardening bot ${kind}`,
      scopes: ['calendar:read', 'files:read', 'files:write', 'files:delete'],
      tools: ['google-calendar-api', 'files-api'],
    });
    token = await agent.token();
    expect((await putPolicy(server, 'reports/authz.rego', LOOSE)).status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('item 4: the package is the server\'s', () => {
    it('refuses `package` from an agent with 403 naming the rule (the review\'s reports.authz repro)', async () => {
      const res = await authorize({ ...outOfBounds, package: 'reports.authz' });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body).toMatchObject({ error: 'package_not_allowed', details: { field: 'package', rule: 'policy.decisionPackage', package: 'mandate.authz' } });
      expect(res.body.message).toContain('policy.decisionPackage');
      // Even naming the server's own package is refused: the caller does not choose.
      expect((await authorize({ ...calendarRead(), package: 'mandate.authz' })).status).toBe(403);
      // Without `package` the server's package judges it: denied.
      const own = await authorize(outOfBounds);
      expect(own.status).toBe(200);
      expect(own.body.decision).toBe('deny');
    });

    it('refuses `package` from a resource server', async () => {
      const audience = `https://calendar-${kind}.example.com`;
      const rs = await registerResourceServer(server, audience, ['calendar:read']);
      const issued = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', resource: audience }, { authorization: basic(agent.clientId, agent.clientSecret) });
      expect(issued.status).toBe(200);
      const res = await authorize({ ...outOfBounds, token: issued.body.access_token, package: 'reports.authz' }, null, { authorization: basic(rs.clientId, rs.clientSecret) });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error).toBe('package_not_allowed');
      expect(res.body.message).toContain('resource server');
    });

    it('lets only an operator with policies:write name another package', async () => {
      const owner = await operatorToken(server, `pkg-owner-${kind}`, ['owner']);
      const refused = await authorize({ ...outOfBounds, token, package: 'reports.authz' }, owner);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain('policies:write');
      const admin = await authorize({ ...outOfBounds, token, package: 'reports.authz' }, server.adminToken);
      expect(admin.status, JSON.stringify(admin.body)).toBe(200);
      expect(admin.body.decision).toBe('allow');
    });
  });

  describe('item 7: narrowing an agent reaches its live tokens', () => {
    it('denies write to a token issued before PATCH removed files:write, and introspection omits the scope', async () => {
      const early = await agent.token();
      const introspect = async () => (await postForm(server, '/oauth2/introspect', { token: early }, { authorization: `Bearer ${server.adminToken}` })).body;
      expect((await authorize(filesWrite, early)).body.decision).toBe('allow');
      expect((await introspect()).scope.split(' ')).toContain('files:write');

      const patched = await server.api('PATCH', `/v1/agents/${agent.id}`, { scopes: ['calendar:read', 'files:read', 'files:delete'] });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);

      const after = await authorize(filesWrite, early);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({ decision: 'deny', reasons: ['scope_missing'] });
      const seen = await introspect();
      expect(seen.active).toBe(true);
      expect(seen.scope.split(' ').sort()).toEqual(['calendar:read', 'files:delete', 'files:read']);
      // What the agent still holds still works with the same token.
      expect((await authorize({ ...filesWrite, action: 'read', tool: 'files-api:files.get' }, early)).body.decision).toBe('allow');
    });
  });

  describe('item 6: too-deep input is refused before any side effect; decision, approval and log are one unit', () => {
    const pending = async () => (await server.api('GET', '/v1/approvals?limit=1000')).body.items.length as number;
    const deleteFile = (id: string) => ({ action: 'delete', tool: 'files-api:files.delete', resource: { type: 'files', id, owner: 'alice@example.com', sensitivity: 'internal' } });

    // Decision, approval and log entry as one transaction: test/policy/decision-unit.test.ts
    // injects a failure at each write and finds nothing half-written.
    it('names the request a decision created in its entry, and reuses it when asked again', async () => {
      const before = await pending();
      const asked = await authorize(deleteFile(`unit-${kind}.txt`));
      expect(asked.body).toMatchObject({ decision: 'approval_required', approval_id: expect.stringMatching(/^apr_/) });
      expect(await pending()).toBe(before + 1);
      const approval = await server.api('GET', `/v1/approvals/${asked.body.approval_id}`);
      expect(approval.body.context.decision_id).toBe(asked.body.decision_id);
      const row = await loggedDecision(server, asked.body.decision_id);
      expect(row.details).toMatchObject({ decision: 'approval_required', approval_requested: true, approval_id: asked.body.approval_id });
      // Asking again names the pending request (logged with its id), and creates no other.
      const again = await authorize(deleteFile(`unit-${kind}.txt`));
      expect(again.body.approval_id).toBe(asked.body.approval_id);
      expect(await pending()).toBe(before + 1);
    });

    it('answers the review\'s 2,700-deep context with 400 and creates no approval and no decision entry', async () => {
      const decisions = async () => (await server.api('GET', '/v1/audit?type=policy.decision&limit=1000')).body.items.length as number;
      const [approvalsBefore, decisionsBefore] = [await pending(), await decisions()];
      const deleteOwnFile = { action: 'delete', tool: 'files-api:files.delete', resource: { type: 'files', id: 'old.txt', owner: 'alice@example.com', sensitivity: 'internal' } };
      // The same request with a flat context needs approval: the deep one would have created it.
      const body = JSON.stringify(deleteOwnFile).slice(0, -1) + `,"context":${nested(2700)}}`;
      const res = await authorize(body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      // So deep it stops at the HTTP edge (bodyMaxDepth), before the decision point is reached.
      expect(res.body).toMatchObject({ error: 'input_too_deep', details: { rule: 'bodyMaxDepth', limit: 64 } });
      // Within the edge's bound but beyond the decision's, the decision point refuses it, naming its own limit.
      const deeper = await authorize(JSON.stringify(deleteOwnFile).slice(0, -1) + `,"context":${nested(40)}}`);
      expect(deeper.status, JSON.stringify(deeper.body)).toBe(400);
      expect(deeper.body).toMatchObject({ error: 'input_too_deep', details: { field: 'body.context', rule: 'policy.decisionInputMaxDepth', limit: 16 } });
      expect(await pending()).toBe(approvalsBefore);
      expect(await decisions()).toBe(decisionsBefore);
      const flat = await authorize({ ...deleteOwnFile, context: { note: 'cleanup' } });
      expect(flat.body.decision).toBe('approval_required');
      expect(await pending()).toBe(approvalsBefore + 1);
    });
  });
});

describe.each(storeKinds())('decision limits (issue 10 item 2) on %s', (kind) => {
  let server: TestServer;
  // Frozen: the buckets never refill during the test (no timing thresholds).
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  let token: string;
  const limits = { decisionsPerMinutePerAgent: 4, decisionInputMaxBytes: 1_024, decisionInputMaxDepth: 4 };

  const authorize = (body: Record<string, unknown>, as: string = token) => server.api('POST', '/v1/authorize', body, { token: as });

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock, config: { policy: limits } });
    token = await (await policyAgent(server, { name: `limited bot ${kind}` })).token();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a context or resource over the size limit with 413 naming it, and one too deep with 400', async () => {
    const big = await authorize({ ...calendarRead(), context: { blob: 'x'.repeat(2_000) } });
    expect(big.status, JSON.stringify(big.body)).toBe(413);
    expect(big.body).toMatchObject({ error: 'input_too_large', details: { field: 'body.context', limit: 1_024, rule: 'policy.decisionInputMaxBytes' } });
    expect(big.body.message).toContain('policy.decisionInputMaxBytes');
    const wideResource = await authorize({ ...calendarRead(), resource: { ...calendarRead().resource, id: 'r'.repeat(1_000) } });
    expect(wideResource.status).toBe(413);
    expect(wideResource.body.details.field).toBe('body.resource');
    const deep = await authorize({ ...calendarRead(), context: { a: { b: { c: { d: { e: 1 } } } } } });
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({ error: 'input_too_deep', details: { field: 'body.context', limit: 4 } });
    expect(deep.body.message).toContain('policy.decisionInputMaxDepth');
    const arrays = await authorize({ ...calendarRead(), context: { a: [[[[1]]]] } });
    expect(arrays.status).toBe(400);
    // At the limits: fine.
    expect((await authorize({ ...calendarRead(), context: { a: { b: { c: { d: 1 } } } } })).status).toBe(200);
  });

  it('answers 429 with Retry-After once an agent spends its decisions per minute; other agents are unaffected', async () => {
    const own = await (await policyAgent(server, { name: `busy bot ${kind}` })).token();
    for (let i = 0; i < limits.decisionsPerMinutePerAgent; i += 1) expect((await authorize(calendarRead(), own)).status).toBe(200);
    const limited = await authorize(calendarRead(), own);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('rate_limited');
    expect(limited.body.message).toContain('policy.decisionsPerMinutePerAgent');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // A limited call writes no decision entry; another agent still gets answers.
    const other = await (await policyAgent(server, { name: `quiet bot ${kind}` })).token();
    expect((await authorize(calendarRead(), other)).status).toBe(200);
    // A minute later the agent has its budget back.
    clock.advance(60_000);
    expect((await authorize(calendarRead(), own)).status).toBe(200);
  });
});
