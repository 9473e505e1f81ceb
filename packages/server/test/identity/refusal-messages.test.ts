import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm, registerAgent, startOAuthServer } from '../support/agents.js';

/**
 * Issue 10, item 15: errors that explain themselves. A valid token for a resource server sent
 * to /v1 is told its audience is wrong (not "unknown, expired or revoked"); a decommissioned
 * agent asking for a token is told its status like a suspended or deprecated one.
 */
describe.each(storeKinds())('refusals that say why, on %s', (kind) => {
  let server: TestServer;
  const api = 'https://files.example.com';

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    const created = await server.api('POST', '/v1/resource-servers', { audience: api, scopes: ['calendar.read'], name: 'Files API' });
    expect(created.status).toBe(201);
  });
  afterAll(async () => server?.stop());

  const tokenFor = async (auth: string, form: Record<string, string> = {}) => postForm(server, '/oauth2/token', { grant_type: 'client_credentials', ...form }, { authorization: auth });

  it("says a resource server's token is for another audience, on a /v1 route and on /v1/authorize", async () => {
    const agent = await registerAgent(server);
    const auth = basic(agent.clientId, agent.clientSecret);
    const own = (await tokenFor(auth)).body.access_token as string;
    const foreign = (await tokenFor(auth, { resource: api })).body.access_token as string;

    // Mandate's own token passes authentication (the approval does not exist).
    expect((await server.api('GET', '/v1/approvals/apr_none', undefined, { token: own })).status).toBe(404);

    const refused = await server.api('GET', '/v1/approvals/apr_none', undefined, { token: foreign });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe(
      `this token is for audience '${api}', not for Mandate's API ('${server.url}'): request a token without 'resource' (or with resource=${server.url}) to call /v1`,
    );
    const decision = await server.api('POST', '/v1/authorize', { action: 'read', tool: 'google-calendar-api', resource: { type: 'calendar', id: 'c1' } }, { token: foreign });
    expect(decision.status).toBe(401);
    expect(decision.body.message).toMatch(/this token is for audience 'https:\/\/files\.example\.com', not for Mandate's API/);
  });

  it('keeps the plain refusal for a forged, revoked or retired token, whatever audience it claims', async () => {
    const agent = await registerAgent(server);
    const auth = basic(agent.clientId, agent.clientSecret);
    const foreign = (await tokenFor(auth, { resource: api })).body.access_token as string;
    const [header, payload] = foreign.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    const plain = 'the bearer token is not valid (unknown, expired or revoked)';
    expect((await server.api('GET', '/v1/approvals/apr_none', undefined, { token: forged })).body.message).toBe(plain);

    expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'test' })).status).toBe(200);
    expect((await server.api('GET', '/v1/approvals/apr_none', undefined, { token: foreign })).body.message).toBe(plain);
  });

  it('tells a decommissioned agent its status, in the same words as a suspended or deprecated one', async () => {
    const refusal = async (id: string, auth: string) => {
      const res = await tokenFor(auth);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
      return res.body.error_description as string;
    };
    const agent = await registerAgent(server);
    const auth = basic(agent.clientId, agent.clientSecret);
    expect((await tokenFor(auth)).status).toBe(200);

    expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'test' })).status).toBe(200);
    expect(await refusal(agent.id, auth)).toBe(`agent '${agent.id}' is suspended; only active agents get tokens`);
    expect((await server.api('POST', `/v1/agents/${agent.id}/deprecate`, {})).status).toBe(200);
    expect(await refusal(agent.id, auth)).toBe(`agent '${agent.id}' is deprecated; only active agents get tokens`);
    expect((await server.api('POST', `/v1/agents/${agent.id}/decommission`, {})).status).toBe(200);
    expect(await refusal(agent.id, auth)).toBe(`agent '${agent.id}' is decommissioned; only active agents get tokens`);
    // Also with client_secret_post, and whatever secret it sends (it has none left).
    const post = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: 'anything' });
    expect(post.body.error_description).toBe(`agent '${agent.id}' is decommissioned; only active agents get tokens`);
    // An unknown client still learns nothing.
    const stranger = await tokenFor(basic('mcl_nobody', 'whatever'));
    expect(stranger.body.error_description).toBe('client authentication failed (unknown client or wrong secret)');
  });
});
