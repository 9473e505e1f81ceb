import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { auditOf, fileResource, realAgent, startOAuthServer, TestAgents, type RealAgent } from './support.js';

describe.each(storeKinds())('the delegating user as decider (allowDelegatingUser) on %s', (kind) => {
  let server: TestServer;
  let agent: RealAgent;
  let danaToken: string;
  let delegatedToken: string;

  const ask = async (token: string, extra: Record<string, unknown> = {}) => {
    const res = await server.api('POST', '/v1/approvals', { action: 'delete', tool: 'files', resource: fileResource(), reason: 'tidy up', ...extra }, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; on_behalf_of: string | null };
  };

  beforeAll(async () => {
    server = await startOAuthServer(kind, { config: { approvals: { allowDelegatingUser: true } } });
    agent = await realAgent(server, `delegated bot ${kind}`);
    // Dana is an owner: she has neither approvals:read nor approvals:decide.
    const dana = await server.api('POST', '/v1/operators', { email: 'dana@example.com', roles: ['owner'] });
    danaToken = dana.body.token;
    // Token exchange is not there yet: a stand-in with the claims of a token Dana delegated.
    delegatedToken = new TestAgents(server).token(agent.id, { sub: 'dana@example.com', act: { sub: agent.id, client_id: agent.clientId } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lets the user an agent acts for read and decide its requests', async () => {
    const asked = await ask(delegatedToken);
    expect(asked.on_behalf_of).toBe('dana@example.com');
    const list = await server.api('GET', '/v1/approvals?status=pending', undefined, { token: danaToken });
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([asked.id]);
    expect((await server.api('GET', `/v1/approvals/${asked.id}`, undefined, { token: danaToken })).status).toBe(200);
    const approved = await server.api('POST', `/v1/approvals/${asked.id}/approve`, {}, { token: danaToken });
    expect(approved.body).toMatchObject({ status: 'approved', decided_by: 'op-dana' });
    const entry = (await auditOf(server, asked.id)).find((e) => e.type === 'approval.approved');
    expect(entry?.details.as_delegating_user).toBe(true);
  });

  it('does not let an agent pick its approver by naming a user', async () => {
    // Over HTTP the user comes from the token: a plain token cannot name one.
    const named = await server.api(
      'POST',
      '/v1/approvals',
      { action: 'delete', tool: 'files', resource: fileResource('named.txt'), reason: 'r', on_behalf_of: 'dana@example.com' },
      { token: await agent.token() },
    );
    expect(named.status).toBe(403);
    expect(named.body.message).toMatch(/acts for no user/);
    // A request whose chain does not start with Dana does not make her its decider, even if it names her.
    const unproven = await server.runtime.approvals.createRequest(
      { agentId: agent.id, chain: [{ sub: agent.id }], onBehalfOf: 'dana@example.com', action: 'delete', tool: 'files', resource: fileResource('named.txt'), reason: 'r', origin: 'decision' },
      { kind: 'agent', id: agent.id },
    );
    expect((await server.api('GET', `/v1/approvals/${unproven.id}`, undefined, { token: danaToken })).status).toBe(404);
    const list = await server.api('GET', '/v1/approvals?status=pending', undefined, { token: danaToken });
    expect(list.body.items.map((a: { id: string }) => a.id)).not.toContain(unproven.id);
    const refused = await server.api('POST', `/v1/approvals/${unproven.id}/approve`, {}, { token: danaToken });
    expect(refused.status).toBe(403);
    expect(refused.body.details).toMatchObject({ code: 'not_permitted' });
  });
});
