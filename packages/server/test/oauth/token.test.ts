import { generateKeyPairSync, randomUUID } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { createRemoteJWKSet, exportJWK, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe.each(storeKinds())('OAuth token endpoint on %s', (kind) => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let agent: RegisteredAgent;

  /** Every token any test gets is verified here with jose against the published JWKS. */
  async function verified(token: string, audience?: string): Promise<JWTPayload> {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: as.issuer, audience: audience ?? as.issuer, typ: 'at+jwt' });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(protectedHeader.kid).toBeTruthy();
    return payload;
  }

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
    agent = await registerAgent(server);
  });
  afterAll(async () => server?.stop());

  it('publishes RFC 8414 metadata naming every endpoint', () => {
    expect(as.issuer).toBe(server.url);
    expect(as.token_endpoint).toBe(`${server.url}/oauth2/token`);
    expect(as.introspection_endpoint).toBe(`${server.url}/oauth2/introspect`);
    expect(as.revocation_endpoint).toBe(`${server.url}/oauth2/revoke`);
    expect(as.grant_types_supported).toEqual(['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'authorization_code', 'refresh_token']);
    // 'none': people's public clients (PKCE) at the same endpoint; agents always authenticate.
    expect(as.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
    expect(as.dpop_signing_alg_values_supported).toContain('EdDSA');
    expect(as.token_endpoint_auth_signing_alg_values_supported).not.toContain('none');
  });

  it('issues a JWT access token with client_secret_basic (oauth4webapi), verified by jose', async () => {
    const client: oauth.Client = { client_id: agent.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(agent.clientSecret), { scope: 'calendar.read' }, insecure);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    expect(result.token_type).toBe('bearer');
    expect(result.expires_in).toBe(600);
    expect(result.scope).toBe('calendar.read');
    const claims = await verified(result.access_token);
    expect(claims).toMatchObject({
      iss: server.url,
      sub: agent.id,
      aud: server.url,
      client_id: agent.clientId,
      scope: 'calendar.read',
      agent: { purpose: 'books meetings', owner: 'alice@example.com', data_classification: 'internal', environment: 'production' },
    });
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(typeof claims.jti).toBe('string');
  });

  it('issues with client_secret_post and gives every registered scope when none is asked', async () => {
    const client: oauth.Client = { client_id: agent.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost(agent.clientSecret), {}, insecure);
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    expect(result.scope).toBe('calendar.read calendar.write mail.send');
    expect((await verified(result.access_token)).scope).toBe('calendar.read calendar.write mail.send');
  });

  it('issues with private_key_jwt against the registered JWKS, and refuses a replayed assertion', async () => {
    const { privateKey, publicKey } = await oauth.generateKeyPair('EdDSA', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
    const keyed = await registerAgent(server, { jwks: { keys: [jwk] } });
    const client: oauth.Client = { client_id: keyed.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.PrivateKeyJwt({ key: privateKey, kid: 'k1' }), {}, insecure);
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    expect((await verified(result.access_token)).sub).toBe(keyed.id);

    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(keyed.clientId)
      .setSubject(keyed.clientId)
      .setAudience(`${server.url}/oauth2/token`)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(privateKey);
    const form = { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion };
    expect((await postForm(server, '/oauth2/token', form)).status).toBe(200);
    const replay = await postForm(server, '/oauth2/token', form);
    expect(replay).toMatchObject({ status: 401, body: { error: 'invalid_client', error_description: expect.stringMatching(/already used/) } });
    await server.runtime.audit.flush();
    const refusals = await server.runtime.store.db.selectFrom('audit_entries').select('details').where('type', '=', 'oauth.token.refused').where('agent_id', 'is', null).execute();
    const replayJti = (JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    expect(refusals.some((r) => JSON.parse(r.details).assertion_jti === replayJti)).toBe(true);

    const tooLong = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(keyed.clientId)
      .setSubject(keyed.clientId)
      .setAudience(server.url)
      .setExpirationTime('1h')
      .sign(privateKey);
    const long = await postForm(server, '/oauth2/token', { ...form, client_assertion: tooLong });
    expect(long).toMatchObject({ status: 401, body: { error: 'invalid_client', error_description: expect.stringMatching(/too far ahead/) } });

    const { privateKey: stranger } = generateKeyPairSync('ed25519');
    const forged = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(keyed.clientId)
      .setSubject(keyed.clientId)
      .setAudience(server.url)
      .setExpirationTime('1m')
      .sign(stranger);
    expect((await postForm(server, '/oauth2/token', { ...form, client_assertion: forged })).body.error).toBe('invalid_client');
  });

  it('sets aud from a registered resource and keeps only the scopes that audience accepts', async () => {
    const created = await server.api('POST', '/v1/resource-servers', { audience: 'https://calendar.example.com', scopes: ['calendar.read', 'calendar.admin'], name: 'Calendar API' });
    expect(created.status).toBe(201);
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { scopes_supported: string[] };
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['calendar.admin', 'calendar.read']));
    const auth = { authorization: basic(agent.clientId, agent.clientSecret) };
    const token = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', resource: 'https://calendar.example.com' }, auth);
    expect(token.status).toBe(200);
    expect(token.body.scope).toBe('calendar.read');
    expect(await verified(token.body.access_token, 'https://calendar.example.com')).toMatchObject({ aud: 'https://calendar.example.com', scope: 'calendar.read' });

    const none = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', resource: 'https://calendar.example.com', scope: 'mail.send' }, auth);
    expect(none).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const unknown = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', resource: 'https://nowhere.example.com' }, auth);
    expect(unknown).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    const notUri = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', resource: 'calendar' }, auth);
    expect(notUri).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    const twice = await postForm(server, '/oauth2/token', 'grant_type=client_credentials&resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example', auth);
    expect(twice).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });

  it('refuses scopes the agent was not registered with', async () => {
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', scope: 'calendar.read admin' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    expect(response).toMatchObject({ status: 400, body: { error: 'invalid_scope', error_description: expect.stringMatching(/admin/) } });
  });

  it('answers a wrong secret with 401 invalid_client and a Basic challenge, and counts the failure', async () => {
    const wrong = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, 'not-the-secret') });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const post = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: 'nope' });
    expect(post).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(post.headers.get('www-authenticate')).toBeNull();
    const unknown = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic('nobody', 'x') });
    expect(unknown.status).toBe(401);
    const none = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' });
    expect(none).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const { register } = await import('prom-client');
    const metric = await register.getSingleMetric('mandate_oauth_client_auth_failures_total')!.get();
    const mine = metric.values.find((v) => v.labels.client_id === agent.clientId);
    expect(mine?.value).toBeGreaterThanOrEqual(2);
  });

  it('refuses two authentication methods in one request', async () => {
    const both = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret }, { authorization: basic(agent.clientId, agent.clientSecret) });
    expect(both).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: expect.stringMatching(/exactly one/) } });
  });

  it('refuses a missing or unsupported grant_type', async () => {
    const auth = { authorization: basic(agent.clientId, agent.clientSecret) };
    expect(await postForm(server, '/oauth2/token', { scope: 'calendar.read' }, auth)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await postForm(server, '/oauth2/token', { grant_type: 'password', username: 'a', password: 'b' }, auth)).toMatchObject({
      status: 400,
      body: { error: 'unsupported_grant_type' },
    });
  });

  it('refuses malformed, repeated, oversize and non-form bodies with invalid_request', async () => {
    const auth = { authorization: basic(agent.clientId, agent.clientSecret) };
    expect(await postForm(server, '/oauth2/token', 'grant_type=client_credentials&scope=%zz', auth)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await postForm(server, '/oauth2/token', 'grant_type=client_credentials&grant_type=client_credentials', auth)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: expect.stringMatching(/more than once/) },
    });
    const huge = await postForm(server, '/oauth2/token', `grant_type=client_credentials&scope=${'a'.repeat(20_000)}`, auth);
    expect(huge).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const json = await fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{"grant_type":"client_credentials"}' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/x-www-form-urlencoded/) });
    expect(json.headers.get('cache-control')).toBe('no-store');
  });

  it('gives no tokens to a suspended agent, and gives them again after resume', async () => {
    const suspended = await registerAgent(server);
    const auth = { authorization: basic(suspended.clientId, suspended.clientSecret) };
    expect((await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth)).status).toBe(200);
    expect((await server.api('POST', `/v1/agents/${suspended.id}/suspend`, { reason: 'test' })).status).toBe(200);
    const refused = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth);
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_client', error_description: expect.stringMatching(/suspended/) } });
    expect((await server.api('POST', `/v1/agents/${suspended.id}/resume`, {})).status).toBe(200);
    expect((await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth)).status).toBe(200);
  });

  it('audits a burst of issuances in grouped entries that name every jti', async () => {
    const burst = await registerAgent(server);
    const auth = { authorization: basic(burst.clientId, burst.clientSecret) };
    const tokens = await Promise.all(Array.from({ length: 20 }, () => postForm(server, '/oauth2/token', { grant_type: 'client_credentials', scope: 'mail.send' }, auth)));
    await server.runtime.audit.flush();
    const rows = await server.runtime.store.db.selectFrom('audit_entries').select('details').where('agent_id', '=', burst.id).where('type', '=', 'oauth.token.issued').execute();
    const recorded = rows.flatMap((r) => (JSON.parse(r.details) as { tokens: Array<{ jti: string }> }).tokens.map((t) => t.jti));
    const issued = await Promise.all(tokens.map(async (t) => (await verified(t.body.access_token)).jti));
    expect(recorded.sort()).toEqual(issued.sort());
    expect(rows.reduce((n, r) => n + (JSON.parse(r.details) as { count: number }).count, 0)).toBe(20);
  });

  it('audits issuance and refusals with the jti, never the token or the secret', async () => {
    const auth = { authorization: basic(agent.clientId, agent.clientSecret) };
    const issued = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth);
    await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, 'wrong-secret-value') });
    await server.runtime.audit.flush();
    const rows = await server.runtime.store.db.selectFrom('audit_entries').select(['type', 'details', 'outcome']).where('agent_id', '=', agent.id).execute();
    const jti = (await verified(issued.body.access_token)).jti;
    const issuedEntry = rows.find((r) => r.type === 'oauth.token.issued' && JSON.parse(r.details).tokens.some((t: { jti: string }) => t.jti === jti));
    expect(JSON.parse(issuedEntry!.details)).toMatchObject({ grant_type: 'client_credentials', auth_method: 'client_secret_basic', aud: server.url, count: 1 });
    const all = await server.runtime.store.db.selectFrom('audit_entries').select('details').execute();
    const text = all.map((r) => r.details).join('\n');
    expect(text).not.toContain(issued.body.access_token.split('.')[2]);
    expect(text).not.toContain(agent.clientSecret);
    expect(text).not.toContain('wrong-secret-value');
    const refusals = await server.runtime.store.db.selectFrom('audit_entries').select('details').where('type', '=', 'oauth.token.refused').execute();
    expect(refusals.some((r) => JSON.parse(r.details).client_id === agent.clientId)).toBe(true);
  });
});

describe('OAuth token endpoint rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOAuthServer('sqlite', { config: { oauth: { tokenRateLimitPerMinute: 3 } } });
  });
  afterAll(async () => server?.stop());

  it('answers 429 with Retry-After once a client exceeds its budget, per client', async () => {
    const a = await registerAgent(server);
    const b = await registerAgent(server);
    const ask = (x: RegisteredAgent) => postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(x.clientId, x.clientSecret) });
    for (let i = 0; i < 3; i += 1) expect((await ask(a)).status).toBe(200);
    const limited = await ask(a);
    expect(limited).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await ask(b)).status).toBe(200);
  });
});
