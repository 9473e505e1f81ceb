/** The SDK's policy enforcement in front of a real tool server, deciding at a real Mandate. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, enforcePolicy, resourceServerDecider } from '@mandate/sdk';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { operatorToken, policyAgent, startOAuthServer, type PolicyAgent } from './support.js';
import { basic, postForm } from '../support/agents.js';

describe.each(storeKinds())('SDK policy enforcement for a tool server on %s', (kind) => {
  let server: TestServer;
  let tool: FastifyInstance;
  let toolUrl: string;
  let token: string;
  let approver: string;
  let agent: PolicyAgent;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    agent = await policyAgent(server, { name: `sdk tool caller ${kind}` });
    token = await agent.token();
    approver = await operatorToken(server, `sdk-approver-${kind}`, ['approver']);
    const pep = await operatorToken(server, `sdk-pep-${kind}`, ['owner']);
    const enforcer = enforcePolicy({ client: new ApiClient({ baseUrl: server.url, credentials: { token: pep } }) });
    tool = Fastify();
    const describeFile = (action: string, tool: string) => (request: { headers: Record<string, string | string[] | undefined>; params: unknown }) => ({
      action,
      tool,
      resource: { type: 'files', id: (request.params as { id: string }).id, owner: 'alice@example.com', sensitivity: 'internal' },
    });
    tool.get('/files/:id', { preHandler: enforcer.fastifyPreHandler(describeFile('read', 'files-api:files.get')) }, async (request) => ({ id: (request.params as { id: string }).id }));
    tool.delete('/files/:id', { preHandler: enforcer.fastifyPreHandler(describeFile('delete', 'files-api:files.delete')) }, async () => ({ deleted: true }));
    tool.put('/files/:id', { preHandler: enforcer.fastifyPreHandler(describeFile('write', 'files-api:files.put')) }, async () => ({ written: true }));
    toolUrl = await tool.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await tool?.close();
    await server?.stop();
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}) =>
    fetch(`${toolUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers } }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as Record<string, any> }));

  it('runs the handler on allow, answers 403 access_denied on deny and 401 without a token', async () => {
    expect(await call('GET', '/files/a.pdf')).toMatchObject({ status: 200, body: { id: 'a.pdf' } });
    const denied = await call('PUT', '/files/a.pdf');
    expect(denied).toMatchObject({ status: 403, body: { error: 'access_denied' } });
    expect(denied.body.reasons).toContain('tool_not_registered');
    const anonymous = await fetch(`${toolUrl}/files/a.pdf`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('maps approval_required to 403 with the approval id; the approved retry runs once', async () => {
    const first = await call('DELETE', '/files/old.pdf');
    expect(first).toMatchObject({ status: 403, body: { error: 'approval_required', reasons: ['delete_requires_human_approval'] } });
    const id = first.body.approval_id as string;
    expect(first.headers.get('mandate-approval-id')).toBe(id);
    expect((await server.api('POST', `/v1/approvals/${id}/approve`, {}, { token: approver })).status).toBe(200);
    expect(await call('DELETE', '/files/old.pdf', { 'mandate-approval-id': id })).toMatchObject({ status: 200, body: { deleted: true } });
    const reused = await call('DELETE', '/files/old.pdf', { 'mandate-approval-id': id });
    expect(reused).toMatchObject({ status: 403, body: { error: 'access_denied', reasons: ['approval_used'] } });
  });

  it('works as a resource server (Basic) and fails closed when Mandate is unreachable', async () => {
    // A resource server judges tokens issued for its own audience (RFC 8707 `resource`).
    const audience = 'https://files.example.test';
    const rs = await server.api('POST', '/v1/resource-servers', { name: 'files api', audience, scopes: ['files:read'] });
    expect(rs.status, JSON.stringify(rs.body)).toBe(201);
    const issued = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', resource: audience }, { authorization: basic(agent.clientId, agent.clientSecret) });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const filesToken = issued.body.access_token as string;
    const viaRs = enforcePolicy({ decide: resourceServerDecider({ baseUrl: server.url, clientId: rs.body.client_id, clientSecret: rs.body.client_secret }) });
    const what = { action: 'read', tool: 'files-api:files.get', resource: { type: 'files', id: 'a', owner: 'alice@example.com', sensitivity: 'internal' } };
    expect(await viaRs.check({ authorization: `Bearer ${filesToken}` }, what)).toMatchObject({ ok: true, decision: { decision: 'allow' } });
    const offline = enforcePolicy({ decide: resourceServerDecider({ baseUrl: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y' }) });
    expect(await offline.check({ authorization: `Bearer ${filesToken}` }, what)).toMatchObject({ ok: false, status: 503 });
  });
});
