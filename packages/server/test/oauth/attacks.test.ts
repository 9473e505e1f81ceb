import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessToken } from '../../src/oauth/tokens.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const parts = (token: string) => {
  const [h, p, s] = token.split('.') as [string, string, string];
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()), h, p, s };
};

/**
 * Forged and mangled tokens against Mandate's own access-token verifier, as used by /v1
 * authentication and by introspection: each must be refused.
 */
describe.each(storeKinds())('access token attacks on %s', (kind) => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let agent: RegisteredAgent;
  let good: string;

  const usable = async (token: string) => {
    const v1 = await server.api('GET', `/v1/agents/${agent.id}`, undefined, { token });
    const introspection = await postForm(server, '/oauth2/introspect', { token }, { authorization: `Bearer ${server.adminToken}` });
    return { v1: v1.status, active: introspection.body.active as boolean };
  };

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
    agent = await registerAgent(server);
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    good = response.body.access_token;
  });
  afterAll(async () => server?.stop());

  it('accepts the genuine token (the control)', async () => {
    expect(await usable(good)).toEqual({ v1: 200, active: true });
  });

  it('refuses alg: none', async () => {
    const { header, p } = parts(good);
    const forged = `${b64({ ...header, alg: 'none' })}.${p}.`;
    expect(await usable(forged)).toEqual({ v1: 401, active: false });
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const { header, p } = parts(good);
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ x: string; kid: string }> };
    const jwk = jwks.keys.find((k) => k.kid === header.kid)!;
    for (const secret of [Buffer.from(jwk.x, 'base64url'), Buffer.from(JSON.stringify(jwk)), Buffer.from(jwk.x)]) {
      const h = b64({ alg: 'HS256', typ: 'at+jwt', kid: header.kid });
      const signature = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
      expect(await usable(`${h}.${p}.${signature}`)).toEqual({ v1: 401, active: false });
    }
  });

  it('refuses a token signed by an unknown key (unknown kid, or a known kid with a foreign key)', async () => {
    const { payload, header } = parts(good);
    const { privateKey } = generateKeyPairSync('ed25519');
    for (const kid of ['unknown-kid', header.kid]) {
      const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid }).sign(privateKey);
      expect(await usable(forged)).toEqual({ v1: 401, active: false });
    }
  });

  it('refuses a tampered payload', async () => {
    const { h, payload, s } = parts(good);
    const tampered = `${h}.${b64({ ...payload, scope: `${payload.scope} admin` })}.${s}`;
    expect(await usable(tampered)).toEqual({ v1: 401, active: false });
    const otherSub = `${h}.${b64({ ...payload, sub: 'someone-else' })}.${s}`;
    expect(await usable(otherSub)).toEqual({ v1: 401, active: false });
  });

  it('refuses a token for another audience at /v1 and at another resource server', async () => {
    await server.api('POST', '/v1/resource-servers', { audience: 'https://a.example.com', scopes: ['calendar.read'], name: 'A' });
    const b = await server.api('POST', '/v1/resource-servers', { audience: 'https://b.example.com', scopes: ['calendar.read'], name: 'B' });
    const forA = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', resource: 'https://a.example.com' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    const v1 = await server.api('GET', `/v1/agents/${agent.id}`, undefined, { token: forA.body.access_token });
    expect(v1.status).toBe(401);
    const atB = await postForm(server, '/oauth2/introspect', { token: forA.body.access_token }, { authorization: basic(b.body.client_id, b.body.client_secret) });
    expect(atB.body).toEqual({ active: false });
  });

  it('refuses a token from another issuer even when signed with the right key', async () => {
    const now = clock.now();
    const input = { subject: agent.id, clientId: agent.clientId, audience: server.url, scopes: ['calendar.read'], ttlSeconds: 600 };
    const foreign = mintAccessToken(server.runtime.oauth.keys, 'https://evil.example.com', input, now);
    expect(await usable(foreign.token)).toEqual({ v1: 401, active: false });
    const genuine = mintAccessToken(server.runtime.oauth.keys, server.url, input, now);
    expect(await usable(genuine.token)).toEqual({ v1: 200, active: true });
  });

  it('refuses a token of the wrong type (typ other than at+jwt)', async () => {
    const { header, payload } = parts(good);
    const key = server.runtime.oauth.keys.signer(clock.now());
    const forged = await new SignJWT(payload).setProtectedHeader({ ...header, typ: 'JWT' }).sign(key.privateKey);
    expect(await usable(forged)).toEqual({ v1: 401, active: false });
  });

  it('refuses an expired token (after its lifetime plus the allowed skew)', async () => {
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    const token = response.body.access_token as string;
    clock.advance(600_000);
    expect(await usable(token)).toEqual({ v1: 200, active: true }); // within the 30 s skew
    clock.advance(31_000);
    expect(await usable(token)).toEqual({ v1: 401, active: false });
  });
});
