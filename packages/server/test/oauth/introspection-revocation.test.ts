import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const AUDIENCE = 'https://files.example.com';

describe.each(storeKinds())('introspection, revocation and the revocation feed on %s', (kind) => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  let rs: { clientId: string; secret: string };
  let agent: RegisteredAgent;

  const tokenFor = async (who: RegisteredAgent, resource?: string): Promise<string> => {
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (resource) form.resource = resource;
    const response = await postForm(server, '/oauth2/token', form, { authorization: basic(who.clientId, who.clientSecret) });
    expect(response.status).toBe(200);
    return response.body.access_token as string;
  };
  const introspect = async (token: string) => {
    const client = { client_id: rs.clientId };
    const response = await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic(rs.secret), token, insecure);
    return oauth.processIntrospectionResponse(as, client, response);
  };
  const feed = (query: string, auth = basic(rs.clientId, rs.secret)) =>
    fetch(`${server.url}/oauth2/revocations${query}`, { headers: { authorization: auth } }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    const created = await server.api('POST', '/v1/resource-servers', { audience: AUDIENCE, scopes: ['calendar.read', 'mail.send'], name: 'Files' });
    rs = { clientId: created.body.client_id, secret: created.body.client_secret };
    agent = await registerAgent(server);
  });
  afterAll(async () => server?.stop());

  it('lets a resource server introspect tokens for its audience (oauth4webapi)', async () => {
    const token = await tokenFor(agent, AUDIENCE);
    const result = await introspect(token);
    expect(result).toMatchObject({ active: true, sub: agent.id, client_id: agent.clientId, aud: AUDIENCE, scope: 'calendar.read mail.send', token_type: 'Bearer', iss: server.url });
    expect(result.agent).toMatchObject({ owner: 'alice@example.com' });
    // A token for another audience is not this resource server's business.
    expect((await introspect(await tokenFor(agent))).active).toBe(false);
    expect((await introspect('not-a-token')).active).toBe(false);
  });

  it('lets an operator with tokens:introspect introspect any token, and refuses others', async () => {
    const token = await tokenFor(agent);
    const operator = await postForm(server, '/oauth2/introspect', { token }, { authorization: `Bearer ${server.adminToken}` });
    expect(operator).toMatchObject({ status: 200, body: { active: true, sub: agent.id } });
    expect(operator.headers.get('cache-control')).toBe('no-store');
    const auditor = await server.api('POST', '/v1/operators', { email: `aud-${kind}@example.com`, roles: ['auditor'] });
    const denied = await postForm(server, '/oauth2/introspect', { token }, { authorization: `Bearer ${auditor.body.token}` });
    expect(denied).toMatchObject({ status: 403, body: { error: 'access_denied' } });
    const anonymous = await postForm(server, '/oauth2/introspect', { token });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    const wrong = await postForm(server, '/oauth2/introspect', { token }, { authorization: basic(rs.clientId, 'wrong') });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    // An agent's own access token is no credential for introspection.
    const asAgent = await postForm(server, '/oauth2/introspect', { token }, { authorization: `Bearer ${token}` });
    expect(asAgent.status).toBe(401);
  });

  it('lets an agent revoke its own token (oauth4webapi), which is then inactive and in the feed', async () => {
    const start = await feed('');
    expect(start.status).toBe(200);
    const token = await tokenFor(agent, AUDIENCE);
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    const client = { client_id: agent.clientId };
    const response = await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(agent.clientSecret), token, insecure);
    await oauth.processRevocationResponse(response);
    expect((await introspect(token)).active).toBe(false);
    const after = await feed(`?after=${start.body.cursor}`);
    expect(after.body.events).toEqual([{ kind: 'token', jti, exp: expect.any(Number) }]);
    expect(Number(after.body.cursor)).toBeGreaterThan(Number(start.body.cursor));
    // Revoking again, or revoking garbage, is fine (RFC 7009 §2.2).
    expect((await postForm(server, '/oauth2/revoke', { token }, { authorization: basic(agent.clientId, agent.clientSecret) })).status).toBe(200);
    expect((await postForm(server, '/oauth2/revoke', { token: 'garbage' }, { authorization: basic(agent.clientId, agent.clientSecret) })).status).toBe(200);
  });

  it("refuses an agent revoking another agent's token; an operator may", async () => {
    const other = await registerAgent(server);
    const token = await tokenFor(other, AUDIENCE);
    const refused = await postForm(server, '/oauth2/revoke', { token }, { authorization: basic(agent.clientId, agent.clientSecret) });
    expect(refused).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    expect((await introspect(token)).active).toBe(true);
    const byOperator = await postForm(server, '/oauth2/revoke', { token }, { authorization: `Bearer ${server.adminToken}` });
    expect(byOperator.status).toBe(200);
    expect((await introspect(token)).active).toBe(false);
    const unauthenticated = await postForm(server, '/oauth2/revoke', { token });
    expect(unauthenticated).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('makes live tokens inactive at once when the agent is suspended, and publishes an agent event', async () => {
    const victim = await registerAgent(server);
    const token = await tokenFor(victim, AUDIENCE);
    const mine = await tokenFor(victim);
    expect((await introspect(token)).active).toBe(true);
    expect((await server.api('GET', `/v1/agents/${victim.id}`, undefined, { token: mine })).status).toBe(200);
    const { cursor } = (await feed('')).body;
    // A long-poll waiting for news answers as soon as the suspension lands.
    const waiting = feed(`?after=${cursor}&wait=20`);
    expect((await server.api('POST', `/v1/agents/${victim.id}/suspend`, { reason: 'incident' })).status).toBe(200);
    const news = await waiting;
    expect(news.body.events).toEqual([{ kind: 'agent', agent_id: victim.id, client_id: victim.clientId, not_before: expect.any(Number) }]);
    expect(news.body.events[0].not_before).toBeGreaterThanOrEqual(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).iat);
    expect((await introspect(token)).active).toBe(false);
    expect((await server.api('GET', `/v1/agents/${victim.id}`, undefined, { token: mine })).status).toBe(401);
  });

  it('pages the feed and validates its parameters and callers', async () => {
    const page = await feed('?limit=1');
    expect(page.body.events.length).toBeLessThanOrEqual(1);
    expect(page.body.has_more).toBe(true);
    expect((await feed('?after=abc')).body).toMatchObject({ error: 'invalid_request' });
    expect((await feed('?limit=0')).status).toBe(400);
    expect((await feed('', basic(rs.clientId, 'nope'))).status).toBe(401);
    const operator = await feed('', `Bearer ${server.adminToken}`);
    expect(operator.status).toBe(200);
    const empty = await feed(`?after=${operator.body.cursor}&wait=0`);
    expect(empty.body).toEqual({ events: [], cursor: operator.body.cursor, has_more: false });
  });
});
