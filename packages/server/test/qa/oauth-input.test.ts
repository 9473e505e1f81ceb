import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/** QA: hostile text in OAuth form parameters and credentials is an RFC 6749 invalid_request, never a 500. */
describe.each(storeKinds())('OAuth input guard on %s', (kind) => {
  let server: TestServer;
  let agent: RegisteredAgent;
  let rs: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    agent = await registerAgent(server);
    const created = await server.api('POST', '/v1/resource-servers', { audience: 'https://qa.example', name: 'qa', scopes: ['calendar.read'] });
    expect(created.status).toBe(201);
    rs = { clientId: created.body.client_id, clientSecret: created.body.client_secret };
  });
  afterAll(async () => server?.stop());

  const NUL_BODIES: Array<[string, string, string]> = [
    ['/oauth2/token', 'client_id NUL (post)', 'grant_type=client_credentials&client_id=%00&client_secret=x'],
    ['/oauth2/token', 'client_id a NUL b (post)', 'grant_type=client_credentials&client_id=a%00b&client_secret=x'],
    ['/oauth2/token', 'client_id NUL without secret', 'grant_type=client_credentials&client_id=%00'],
    ['/oauth2/token', 'grant_type NUL', 'grant_type=client%00_credentials&client_id=x&client_secret=y'],
    ['/oauth2/token', 'resource NUL', 'grant_type=client_credentials&client_id=x&client_secret=y&resource=https%3A%2F%2Fa%00'],
    ['/oauth2/token', 'parameter name NUL', 'grant_type=client_credentials&client_id=x&client_secret=y&a%00=1'],
    ['/oauth2/token', 'raw NUL byte', 'grant_type=client_credentials&client_id=a\u0000b&client_secret=y'],
    ['/oauth2/introspect', 'token NUL', 'token=abc%00'],
    ['/oauth2/revoke', 'token NUL', 'token=abc%00'],
    ['/oauth2/revoke', 'client_id NUL', 'token=abc&client_id=%00&client_secret=x'],
  ];

  it.each(NUL_BODIES)('%s: %s → 400 invalid_request', async (path, _label, body) => {
    const headers: Record<string, string> = path === '/oauth2/introspect' ? { authorization: basic(rs.clientId, rs.clientSecret) } : {};
    const response = await postForm(server, path, body, headers);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['id NUL (percent-encoded)', `Basic ${Buffer.from('%00:secret').toString('base64')}`],
    ['secret NUL (percent-encoded)', `Basic ${Buffer.from('some-client:a%00').toString('base64')}`],
    ['raw NUL in the id', `Basic ${Buffer.from('a\u0000b:secret').toString('base64')}`],
  ])('Basic credentials with %s → 400 invalid_request at every endpoint', async (_label, authorization) => {
    for (const [path, body] of [
      ['/oauth2/token', 'grant_type=client_credentials'],
      ['/oauth2/introspect', 'token=abc'],
      ['/oauth2/revoke', 'token=abc'],
    ] as const) {
      const response = await postForm(server, path, body, { authorization });
      expect([path, response.status, response.body.error]).toEqual([path, 400, 'invalid_request']);
    }
    const feed = await fetch(`${server.url}/oauth2/revocations`, { headers: { authorization } });
    expect([feed.status, ((await feed.json()) as { error: string }).error]).toEqual([400, 'invalid_request']);
  });

  it.each(['after', 'wait', 'limit'])('feed %s with NUL → 400 invalid_request', async (name) => {
    const feed = await fetch(`${server.url}/oauth2/revocations?${name}=1%00`, { headers: { authorization: basic(rs.clientId, rs.clientSecret) } });
    expect(feed.status).toBe(400);
    expect(((await feed.json()) as { error: string }).error).toBe('invalid_request');
  });

  const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

  it.each([
    ['sub and iss with NUL', { sub: 'a\u0000b', iss: 'a\u0000b' }, 'invalid_request'],
    ['sub with a lone surrogate', { sub: 'a\ud800b', iss: 'a\ud800b' }, 'invalid_request'],
    ['jti with NUL', { jti: 'x\u0000y' }, 'invalid_client'],
    ['jti with a lone surrogate', { jti: 'x\udc00y' }, 'invalid_client'],
  ])('private_key_jwt assertion with %s → 4xx %s, never a 500', async (_label, claims, error) => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA');
    const keyed = await registerAgent(server, { jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' }] } });
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ iss: keyed.clientId, sub: keyed.clientId, aud: server.config.issuer, exp: now + 60, jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .sign(privateKey);
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: assertion });
    expect([response.status, response.body.error]).toEqual([error === 'invalid_client' ? 401 : 400, error]);
    // The refusal is audited (a lone surrogate in the recorded jti used to make the entry fail to hash).
    if (error === 'invalid_client') {
      const audit = await server.api('GET', '/v1/audit?type=oauth.token.refused&limit=1000');
      const mine = (audit.body.items as Array<{ details: Record<string, unknown> }>).filter((e) => e.details.client_id === keyed.clientId);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.details).toMatchObject({ error: 'invalid_client', auth_method: 'private_key_jwt' });
    }
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('DPoP proof whose jti has %s → 400 invalid_dpop_proof', async (_label, jti) => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const proof = await new SignJWT({ htm: 'POST', htu: `${server.config.issuer}/oauth2/token`, iat: Math.floor(Date.now() / 1000), jti })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret), dpop: proof });
    expect([response.status, response.body.error]).toEqual([400, 'invalid_dpop_proof']);
  });

  it('a refused request whose long client_id is cut inside a surrogate pair is still audited', async () => {
    const clientId = `${'q'.repeat(199)}\u{1F600}`;
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: 'x' });
    expect([response.status, response.body.error]).toEqual([401, 'invalid_client']);
    const audit = await server.api('GET', '/v1/audit?type=oauth.token.refused&limit=1000');
    const mine = (audit.body.items as Array<{ details: Record<string, unknown> }>).filter((e) => String(e.details.client_id).startsWith('q'.repeat(199)));
    expect(mine).toHaveLength(1);
  });

  it('the agent still gets tokens afterwards (the control)', async () => {
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    expect(response.status).toBe(200);
  });
});
