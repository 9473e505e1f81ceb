import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { askDecision, operatorToken, policyAgent, startOAuthServer } from './support.js';

describe.each(storeKinds())('delete with human approval, end to end on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  let token: string;
  let approver: string;

  const del = (id = 'q3.pdf', extra: Record<string, unknown> = {}) => ({
    action: 'delete',
    tool: 'files-api:files.delete',
    resource: { type: 'files', id, owner: 'alice@example.com', sensitivity: 'internal' },
    ...extra,
  });
  const authorize = (body: Record<string, unknown>) => askDecision(server, token, body);

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    const agent = await policyAgent(server, { name: `deleter ${kind}` });
    token = await agent.token();
    approver = await operatorToken(server, `approver-${kind}`, ['approver']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('approval_required → approver approves → the retried delete is allowed once; a second use and another resource are refused', async () => {
    const first = await authorize(del());
    expect(first.decision).toBe('approval_required');
    const approvalId = first.approval_id!;

    // Not yet approved: presenting it is refused.
    expect(await authorize(del('q3.pdf', { approval_id: approvalId }))).toMatchObject({ decision: 'deny', reasons: ['approval_pending'] });

    const approved = await server.api('POST', `/v1/approvals/${approvalId}/approve`, { reason: 'superseded' }, { token: approver });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('approved');

    // Presented for another resource: refused, and the approval stays unspent.
    expect(await authorize(del('q4.pdf', { approval_id: approvalId }))).toMatchObject({ decision: 'deny', reasons: ['approval_mismatch'] });

    const allowed = await authorize(del('q3.pdf', { approval_id: approvalId }));
    expect(allowed).toMatchObject({ decision: 'allow', approval_id: approvalId });
    expect((await server.api('GET', `/v1/approvals/${approvalId}`)).body.status).toBe('used');

    expect(await authorize(del('q3.pdf', { approval_id: approvalId }))).toMatchObject({ decision: 'deny', reasons: ['approval_used'] });
    // Without the approval, the same delete asks again (a new request: the old one is spent).
    const again = await authorize(del());
    expect(again.decision).toBe('approval_required');
    expect(again.approval_id).not.toBe(approvalId);
  });

  it('refuses an approval another agent asked for, and an unknown id', async () => {
    const other = await policyAgent(server, { name: `other deleter ${kind}` });
    const otherToken = await other.token();
    const asked = await server.api('POST', '/v1/authorize', del('shared.pdf'), { token: otherToken });
    expect(asked.body.decision).toBe('approval_required');
    await server.api('POST', `/v1/approvals/${asked.body.approval_id}/approve`, {}, { token: approver });
    expect(await authorize(del('shared.pdf', { approval_id: asked.body.approval_id }))).toMatchObject({ decision: 'deny', reasons: ['approval_wrong_agent'] });
    expect(await authorize(del('shared.pdf', { approval_id: 'apr_nope' }))).toMatchObject({ decision: 'deny', reasons: ['approval_not_found'] });
  });
});
