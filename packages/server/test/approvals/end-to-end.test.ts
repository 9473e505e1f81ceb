import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm, registerAgent } from '../support/agents.js';
import { auditOf, createOperators, startOAuthServer, type Operators } from './support.js';
import { askDecision } from '../policy/support.js';

/**
 * The seed's rule end to end: "no delete without a human's approval". The agent asks the
 * decision point, a human approves, the agent retries with the approval once.
 */
describe.each(storeKinds())('delete with human approval through /v1/authorize on %s', (kind) => {
  let server: TestServer;
  let ops: Operators;
  let token: string;
  let agentId: string;
  const resource = { type: 'file', id: 'reports/q3.pdf', owner: 'alice@example.com', sensitivity: 'internal' };
  const call = { action: 'delete', tool: 'files', resource };

  const authorize = (body: Record<string, unknown>) => askDecision(server, token, body);

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    ops = await createOperators(server, `e2e-${kind}`);
    const agent = await registerAgent(server, { name: `janitor ${kind}`, owner: 'alice@example.com', scopes: ['file:delete', 'file:read'], tools: ['files'], data_classification: 'internal' });
    agentId = agent.id;
    const issued = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    token = issued.body.access_token;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('requires approval, waits for the human, allows once, then refuses the reuse', { timeout: 30_000 }, async () => {
    const first = await authorize(call);
    expect(first).toMatchObject({ decision: 'approval_required', reasons: ['delete_requires_human_approval'] });
    const approvalId = first.approval_id!;
    expect(approvalId).toMatch(/^apr_/);
    // Asking again before anyone decided reuses the same request rather than piling up new ones.
    expect((await authorize(call)).approval_id).toBe(approvalId);

    const request = await server.api('GET', `/v1/approvals/${approvalId}`, undefined, { token });
    expect(request.body).toMatchObject({ status: 'pending', origin: 'decision', agent_id: agentId, action: 'delete', tool: 'files', resource });

    // Presenting it before a decision does not allow.
    expect((await authorize({ ...call, approval_id: approvalId })).decision).toBe('deny');

    const waiting = server.api('GET', `/v1/approvals/${approvalId}?wait=30`, undefined, { token });
    await vi.waitFor(() => expect(server.runtime.approvals.waiters.size).toBe(1), { timeout: 10_000, interval: 5 });
    expect((await server.api('POST', `/v1/approvals/${approvalId}/approve`, { reason: 'report archived' }, { token: ops.approver })).status).toBe(200);
    expect((await waiting).body.status).toBe('approved');

    // Bound to the request: another file does not get through, and does not spend it.
    const other = await authorize({ ...call, resource: { ...resource, id: 'reports/q4.pdf' }, approval_id: approvalId });
    expect(other).toMatchObject({ decision: 'deny', reasons: expect.arrayContaining(['approval_mismatch']) });

    expect(await authorize({ ...call, approval_id: approvalId })).toMatchObject({ decision: 'allow', approval_id: approvalId });
    const again = await authorize({ ...call, approval_id: approvalId });
    expect(again).toMatchObject({ decision: 'deny', reasons: expect.arrayContaining(['approval_used']) });

    const trail = (await auditOf(server, approvalId)).map((e) => e.type);
    expect(trail).toEqual(['approval.requested', 'approval.approved', 'approval.used']);
  });

  it('carries a denial to the agent', async () => {
    const asked = await authorize({ ...call, resource: { ...resource, id: 'reports/keep.pdf' } });
    const denied = await server.api('POST', `/v1/approvals/${asked.approval_id}/deny`, { reason: 'still needed' }, { token: ops.approver });
    expect(denied.body.status).toBe('denied');
    const seen = await server.api('GET', `/v1/approvals/${asked.approval_id}?wait=30`, undefined, { token });
    expect(seen.body).toMatchObject({ status: 'denied', decision_reason: 'still needed' });
    const retried = await authorize({ ...call, resource: { ...resource, id: 'reports/keep.pdf' }, approval_id: asked.approval_id });
    expect(retried).toMatchObject({ decision: 'deny', reasons: expect.arrayContaining(['approval_denied']) });
  });
});
