import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { agentKey, csrFor, x509 } from '../workload/support.js';
import { agentWithToken } from './support.js';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** Tokens and certificates issued with a task id (issue 14): over real HTTP, on both stores. */
describe.each(storeKinds())('tokens and certificates issued with a task (store: %s)', (kind) => {
  let server: TestServer;
  let feedAuth: string;

  const tokenRequest = (agent: { clientId: string; clientSecret: string }, form: Record<string, string> = {}) =>
    postForm(server, '/oauth2/token', { grant_type: 'client_credentials', ...form }, { authorization: basic(agent.clientId, agent.clientSecret) });
  const active = async (token: string) => (await postForm(server, '/oauth2/introspect', { token }, { authorization: `Bearer ${server.adminToken}` })).body.active as boolean;
  const authorizeStatus = async (token: string) => (await server.api('POST', '/v1/authorize', { action: 'read', tool: 'secrets', resource: { type: 'secret', id: 'app/db' } }, { token })).status;
  const feedFrom = async (after: string) => (await fetch(`${server.url}/oauth2/revocations?after=${after}`, { headers: { authorization: feedAuth } }).then((r) => r.json())) as { events: Array<{ kind: string; jti?: string }>; cursor: string };

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    const rs = await server.api('POST', '/v1/resource-servers', { audience: 'https://reports.example.com', scopes: ['secret:read'], name: 'Reports' });
    feedAuth = basic(rs.body.client_id, rs.body.client_secret);
  });
  afterAll(async () => server?.stop());

  it('a token with task_id carries it and is refused everywhere the moment the task completes; a token without it is unaffected', async () => {
    const agent = await agentWithToken(server);
    const task = (await server.api('POST', '/v1/tasks', { description: 'report' }, { token: agent.token })).body;
    const issued = await tokenRequest(agent, { task_id: task.id });
    expect(issued.status).toBe(200);
    const withTask = issued.body.access_token as string;
    expect(claimsOf(withTask).task_id).toBe(task.id);
    const without = (await tokenRequest(agent)).body.access_token as string;
    expect(claimsOf(without).task_id).toBeUndefined();
    expect(await active(withTask)).toBe(true);
    expect(await authorizeStatus(withTask)).not.toBe(401);
    const cursor = (await feedFrom('0')).cursor;

    const done = await server.api('POST', `/v1/tasks/${task.id}/complete`, undefined, { token: without });
    expect(done.status).toBe(200);
    const jti = claimsOf(withTask).jti as string;
    expect(done.body.revoked).toEqual([{ kind: 'token', id: jti, detail: `issued with task ${task.id}` }]);

    expect(await active(withTask)).toBe(false);
    expect(await authorizeStatus(withTask)).toBe(401);
    expect((await server.api('GET', `/v1/tasks/${task.id}`, undefined, { token: withTask })).status).toBe(401);
    expect((await feedFrom(cursor)).events).toContainEqual(expect.objectContaining({ kind: 'token', jti }));
    // The agent's other token lives on.
    expect(await active(without)).toBe(true);
    expect(await authorizeStatus(without)).not.toBe(401);
  });

  it('an expiring task takes its tokens with it', async () => {
    const agent = await agentWithToken(server);
    const task = (await server.api('POST', '/v1/tasks', {}, { token: agent.token })).body;
    const withTask = (await tokenRequest(agent, { task_id: task.id })).body.access_token as string;
    const expired = await server.runtime.store.db.updateTable('tasks').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', task.id).execute();
    expect(Number(expired[0]?.numUpdatedRows)).toBe(1);
    expect(await server.runtime.tasks.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await active(withTask)).toBe(false);
    expect(await active(agent.token)).toBe(true);
  });

  it("refuses another agent's task, a closed task, an unknown one and task_id with another grant, naming it", async () => {
    const agent = await agentWithToken(server);
    const other = await agentWithToken(server);
    const othersTask = (await server.api('POST', '/v1/tasks', {}, { token: other.token })).body;
    const foreign = await tokenRequest(agent, { task_id: othersTask.id });
    expect(foreign).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: `task_id '${othersTask.id}' is not a task of this agent` } });
    const closed = (await server.api('POST', '/v1/tasks', {}, { token: agent.token })).body;
    await server.api('POST', `/v1/tasks/${closed.id}/complete`, undefined, { token: agent.token });
    const late = await tokenRequest(agent, { task_id: closed.id });
    expect(late).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: `task '${closed.id}' is completed: open a new one` } });
    expect((await tokenRequest(agent, { task_id: 'task_unknown' })).body.error_description).toMatch(/task_id 'task_unknown'/);
    expect((await tokenRequest(agent, { task_id: 'x'.repeat(201) })).body.error_description).toMatch(/task_id must be 1 to 200 characters/);
    const exchange = await tokenRequest(agent, { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', task_id: closed.id, subject_token: agent.token, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
    expect(exchange).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(exchange.body.error_description).toMatch(/task_id is accepted only with grant_type client_credentials/);
  });

  it('a certificate issued with task_id is revoked (CRL and feed) when the task completes, and listed; others stay valid', async () => {
    const agent = await agentWithToken(server);
    const task = (await server.api('POST', '/v1/tasks', {}, { token: agent.token })).body;
    const svid = async (body: Record<string, unknown> = {}) => server.api('POST', '/v1/svids', { csr: await csrFor(await agentKey()), ...body }, { token: agent.token });
    const forTask = await svid({ task_id: task.id });
    expect(forTask.status).toBe(201);
    const unrelated = (await svid()).body;
    const cursor = (await server.api('GET', '/v1/svids/revocations', undefined, { token: null })).body.cursor as number;

    const done = await server.api('POST', `/v1/tasks/${task.id}/complete`, undefined, { token: agent.token });
    expect(done.body.revoked).toContainEqual({ kind: 'certificate', id: forTask.body.serial, detail: `issued with task ${task.id}` });
    const feed = (await server.api('GET', `/v1/svids/revocations?after=${cursor}`, undefined, { token: null })).body;
    expect(feed.events.map((e: { serial: string }) => e.serial)).toEqual([forTask.body.serial]);
    const crl = new x509.X509Crl(await (await fetch(`${server.url}/v1/svids/crl`)).text());
    expect(crl.findRevoked(forTask.body.serial)).not.toBeNull();
    expect(crl.findRevoked(unrelated.serial)).toBeNull();

    // A closed task, or another agent's, gets no certificate (400 naming task_id).
    const late = await svid({ task_id: task.id });
    expect(late.status).toBe(400);
    expect(late.body.message).toBe(`task '${task.id}' is completed: open a new one`);
    const other = await agentWithToken(server);
    const othersTask = (await server.api('POST', '/v1/tasks', {}, { token: other.token })).body;
    expect((await svid({ task_id: othersTask.id })).body.message).toBe(`task_id '${othersTask.id}' is not a task of this agent`);
  });
});
