import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { runMandate } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { askDecision, operatorToken, policyAgent, putPolicy, startOAuthServer } from '../policy/support.js';

/** The attack review's policy: a payment above 100 needs a human. */
const PAYMENTS = `package mandate.authz
import rego.v1
require_approval contains "large_payment" if to_number(input.context.amount) > 100
`;

/**
 * Issue 10 item 3: an approval is bound to everything the policy saw that came from the
 * caller, the context included. Approved for `amount: "150"`, the same approval_id must not
 * let `amount: "1000000"` through.
 */
describe.each(storeKinds())('an approval is bound to the request context, on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  let token: string;
  let approver: string;

  const pay = (amount: string, extra: Record<string, unknown> = {}) => ({
    action: 'read',
    tool: 'google-calendar-api:events.list',
    resource: { type: 'calendar', id: 'primary', owner: 'alice@example.com', sensitivity: 'internal' },
    context: { amount, payee: { iban: 'DE02 1203 0000 0000 2020 51' } },
    ...extra,
  });
  const authorize = (body: Record<string, unknown>) => askDecision(server, token, body);

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    expect((await putPolicy(server, 'payments', PAYMENTS)).status).toBeLessThan(300);
    const agent = await policyAgent(server, { name: `payer ${kind}` });
    token = await agent.token();
    approver = await operatorToken(server, `ctx-approver-${kind}`, ['approver']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('approved for amount 150, the same approval_id does not allow amount 1000000; 150 is allowed once', async () => {
    const first = await authorize(pay('150'));
    expect(first).toMatchObject({ decision: 'approval_required', reasons: ['large_payment'] });
    const approvalId = first.approval_id!;
    const approved = await server.api('POST', `/v1/approvals/${approvalId}/approve`, { reason: 'invoice checked' }, { token: approver });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    // The attack: another amount with the same approval. Refused, and the approval stays unspent.
    expect(await authorize(pay('1000000', { approval_id: approvalId }))).toMatchObject({ decision: 'deny', reasons: ['approval_mismatch'] });
    // A context member added, or a nested member changed, is another request too.
    expect(await authorize({ ...pay('150', { approval_id: approvalId }), context: { amount: '150', payee: { iban: 'DE02 1203 0000 0000 2020 51' }, memo: 'x' } })).toMatchObject({
      decision: 'deny',
      reasons: ['approval_mismatch'],
    });
    expect(await authorize({ ...pay('150', { approval_id: approvalId }), context: { amount: '150', payee: { iban: 'GB33 BUKB 2020 1555 5555 55' } } })).toMatchObject({
      decision: 'deny',
      reasons: ['approval_mismatch'],
    });
    expect((await server.api('GET', `/v1/approvals/${approvalId}`)).body.status).toBe('approved');

    // The approved request itself, keys in another order (canonical JSON): allowed once.
    const same = { ...pay('150', { approval_id: approvalId }), context: { payee: { iban: 'DE02 1203 0000 0000 2020 51' }, amount: '150' } };
    expect(await authorize(same)).toMatchObject({ decision: 'allow', approval_id: approvalId });
    expect(await authorize(same)).toMatchObject({ decision: 'deny', reasons: ['approval_used'] });
  });

  it('a pending request is not reused for another context: each amount asks the humans on its own', async () => {
    const small = await authorize(pay('200'));
    const large = await authorize(pay('2000000'));
    expect(small.decision).toBe('approval_required');
    expect(large.decision).toBe('approval_required');
    expect(large.approval_id).not.toBe(small.approval_id);
    expect((await authorize(pay('200'))).approval_id).toBe(small.approval_id);
  });

  it('the approver sees the context and the chain: API, CLI show and list', async () => {
    const asked = await authorize(pay('4242'));
    const id = asked.approval_id!;
    const view = await server.api('GET', `/v1/approvals/${id}`, undefined, { token: approver });
    expect(view.status).toBe(200);
    expect(view.body.request_context).toEqual({ amount: '4242', payee: { iban: 'DE02 1203 0000 0000 2020 51' } });
    expect(view.body.chain).toHaveLength(1);
    expect(view.body.context).toMatchObject({ reasons: ['large_payment'] });

    const shown = await runMandate(['--url', server.url, '--token', approver, 'approvals', 'show', id]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^context\s+\{"amount":"4242","payee":\{"iban":"DE02 1203 0000 0000 2020 51"\}\}$/m);
    expect(shown.stdout).toMatch(/^chain\s+agent-payer-\S+$/m);
    const listed = await runMandate(['--url', server.url, '--token', approver, 'approvals', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+STATUS\s+AGENT\s+ACTION\s+TOOL\s+RESOURCE\s+CONTEXT/m);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+pending.*"amount":"4242"`));
  });
});
