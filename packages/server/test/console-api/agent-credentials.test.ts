import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import { runMandate } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { operatorToken } from '../policy/support.js';
import { exchange, SEED_AGENTS } from '../delegation/support.js';

/** The agent detail page's live credentials and delegation tree. */
describe.each(storeKinds())('live credentials and delegation chains of an agent on %s', (kind) => {
  let server: TestServer;
  let global: string[];
  const clock = new ManualClock(Date.now());
  const agents = {} as Record<'A' | 'B' | 'C', RegisteredAgent>;

  const token = async (agent: RegisteredAgent, extra: Record<string, string> = {}) => {
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', ...extra }, { authorization: basic(agent.clientId, agent.clientSecret) });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.access_token as string;
  };

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    global = ['--url', server.url, '--token', server.adminToken];
    for (const name of ['A', 'B', 'C'] as const) agents[name] = await registerAgent(server, { ...SEED_AGENTS[name], name: `agent-${name}`, owner: 'alice@example.com' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists tokens neither expired nor revoked, and open tasks; suspension empties the tokens', async () => {
    const first = await token(agents.A);
    const revoked = await token(agents.A);
    expect((await postForm(server, '/oauth2/revoke', { token: revoked }, { authorization: basic(agents.A.clientId, agents.A.clientSecret) })).status).toBe(200);
    const task = await server.api('POST', '/v1/tasks', { agent_id: agents.A.id, description: 'weekly report' });
    expect(task.status).toBe(201);
    const forTask = await token(agents.A, { task_id: task.body.id });
    clock.advance(1000);
    const last = await token(agents.A);
    await server.runtime.audit.flush();

    const res = await server.api('GET', `/v1/agents/${agents.A.id}/credentials`);
    expect(res.status).toBe(200);
    const jtis = res.body.tokens.map((t: { jti: string }) => t.jti);
    expect(jtis).toEqual([decodeJwt(last).jti, decodeJwt(forTask).jti, decodeJwt(first).jti]);
    expect(res.body.tokens[1]).toMatchObject({ task_id: task.body.id, grant_type: 'client_credentials', chain_id: null, dpop: false });
    expect(res.body.tokens[0].scopes).toEqual([...SEED_AGENTS.A.scopes]);
    expect(res.body.tokens[0].expires_at).toBe(new Date((decodeJwt(last).exp as number) * 1000).toISOString());
    expect(res.body).toMatchObject({ agent_id: agents.A.id, tokens_complete: true, certificates: [], leases: [] });
    expect(res.body.tasks).toEqual([expect.objectContaining({ id: task.body.id, description: 'weekly report', status: 'open' })]);
    // Paging bound: the newest only.
    const one = await server.api('GET', `/v1/agents/${agents.A.id}/credentials?limit=1`);
    expect(one.body.tokens.map((t: { jti: string }) => t.jti)).toEqual([decodeJwt(last).jti]);
    expect(one.body.tokens_complete).toBe(false);
    expect((await server.api('GET', `/v1/agents/${agents.A.id}/credentials?limit=501`)).status).toBe(400);

    // Completing the task revokes its token.
    expect((await server.api('POST', `/v1/tasks/${task.body.id}/complete`)).status).toBe(200);
    const after = await server.api('GET', `/v1/agents/${agents.A.id}/credentials`);
    expect(after.body.tokens.map((t: { jti: string }) => t.jti)).toEqual([decodeJwt(last).jti, decodeJwt(first).jti]);
    expect(after.body.tasks).toEqual([]);

    // Owners see their own agents (not leases: that needs leases:read); others' answer 404.
    const alice = await server.api('POST', '/v1/operators', { id: 'alice', email: 'alice@example.com', roles: ['owner'] });
    const asOwner = await server.api('GET', `/v1/agents/${agents.A.id}/credentials`, undefined, { token: alice.body.token });
    expect(asOwner.status).toBe(200);
    expect(asOwner.body.leases).toBeNull();
    expect(asOwner.body.tokens).toHaveLength(2);
    const bob = await operatorToken(server, `bob-${kind}`, ['owner']);
    expect((await server.api('GET', `/v1/agents/${agents.A.id}/credentials`, undefined, { token: bob })).status).toBe(403);
    expect((await server.api('GET', `/v1/agents/${agents.A.id}/delegations`, undefined, { token: bob })).status).toBe(403);
    expect((await server.api('GET', '/v1/agents/agent-nobody/credentials')).status).toBe(404);
    expect((await server.api('GET', `/v1/agents/${agents.A.id}/credentials`, undefined, { token: null })).status).toBe(401);

    const cli = await runMandate([...global, 'agent', 'credentials', agents.A.id]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('tokens (2)');
    expect(cli.stdout).toContain(String(decodeJwt(last).jti));
    expect(cli.stdout).toContain('open tasks (0)');

    // Suspension revokes every token the agent holds.
    expect((await server.api('POST', `/v1/agents/${agents.A.id}/suspend`, { reason: 'test' })).status).toBe(200);
    expect((await server.api('GET', `/v1/agents/${agents.A.id}/credentials`)).body.tokens).toEqual([]);
    expect((await server.api('POST', `/v1/agents/${agents.A.id}/resume`)).status).toBe(200);
  });

  it('draws the live delegation chains an agent takes part in, every link of each', async () => {
    clock.advance(2000);
    const a = await token(agents.A);
    const toB = await exchange(server, agents.B, a, { scope: 'calendar:read calendar-events:read' });
    expect(toB.status, JSON.stringify(toB.body)).toBe(200);
    const toC = await exchange(server, agents.C, toB.body.access_token, { scope: 'calendar-events:read' });
    expect(toC.status, JSON.stringify(toC.body)).toBe(200);
    const bJti = decodeJwt(toB.body.access_token).jti;
    const cJti = decodeJwt(toC.body.access_token).jti;

    for (const agent of [agents.B, agents.C]) {
      const res = await server.api('GET', `/v1/agents/${agent.id}/delegations`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        expect.objectContaining({ jti: bJti, parent_jti: decodeJwt(a).jti, agent_id: agents.B.id, depth: 1, scopes: ['calendar:read', 'calendar-events:read'] }),
        expect.objectContaining({ jti: cJti, parent_jti: bJti, agent_id: agents.C.id, depth: 2, scopes: ['calendar-events:read'] }),
      ]);
      expect(res.body.items[0].chain_id).toBe(res.body.items[1].chain_id);
    }
    expect((await server.api('GET', `/v1/agents/${agents.A.id}/delegations`)).body.items).toEqual([]);
    // B's delegated token is among its live credentials, with its chain.
    const creds = await server.api('GET', `/v1/agents/${agents.B.id}/credentials`);
    expect(creds.body.tokens).toEqual([expect.objectContaining({ jti: bJti, depth: 1, chain_id: expect.any(String) })]);
    expect((await server.api('GET', `/v1/agents/${agents.B.id}/delegations?chains=51`)).status).toBe(400);

    const tree = await runMandate([...global, 'agent', 'delegations', agents.C.id]);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(new RegExp(`^${agents.A.id} → ${agents.B.id}  depth 1`.replace(/[-]/g, '\\-'), 'm'));
    expect(tree.stdout).toMatch(new RegExp(`^  ${agents.C.id}  depth 2`, 'm'));

    // Links expire with their tokens.
    clock.advance(3_600_000);
    expect((await server.api('GET', `/v1/agents/${agents.B.id}/delegations`)).body.items).toEqual([]);
    expect((await server.api('GET', `/v1/agents/${agents.B.id}/credentials`)).body.tokens).toEqual([]);
  });

  it('filters the registry by data classification (the agents page)', async () => {
    const env = `class-${kind}`;
    const secret = await registerAgent(server, { environment: env, data_classification: 'restricted' });
    await registerAgent(server, { environment: env, data_classification: 'internal' });
    const restricted = await server.api('GET', `/v1/agents?environment=${env}&classification=restricted`);
    expect(restricted.body.items.map((a: { id: string }) => a.id)).toEqual([secret.id]);
    expect((await server.api('GET', `/v1/agents?environment=${env}&classification=public`)).body.items).toEqual([]);
    expect((await server.api('GET', '/v1/agents?classification=secret')).status).toBe(400);
    const cli = await runMandate([...global, '--json', 'agent', 'list', '--env', env, '--classification', 'restricted']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).items.map((a: { id: string }) => a.id)).toEqual([secret.id]);
    expect((await runMandate([...global, 'agent', 'list', '--classification', 'secret'])).code).toBe(2);
  });
});
