import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessTokenHash } from '../../src/oauth/dpop.js';
import { basic, postForm } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { calendarRead, policyAgent, startOAuthServer, type PolicyAgent } from '../policy/support.js';

/**
 * Identity decides who the caller is once per request, through the one cached subject resolver
 * that the decision point shares: an agent's access token is verified (signature, claims,
 * revocation, agent) the first time it is seen and then read from the cache, whether it comes
 * as Bearer or bound to a DPoP key (whose proof is still checked on every request).
 */
describe.each(storeKinds())('an access token is verified once on %s', (kind) => {
  let server: TestServer;
  let agent: PolicyAgent;

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    agent = await policyAgent(server, { name: `verified once ${kind}` });
  });
  afterAll(async () => server?.stop());

  /** Verifications of the runtime's verifier made by each of three /v1/authorize calls. */
  async function verificationsPerCall(call: () => Promise<Response>): Promise<number[]> {
    const verify = vi.spyOn(server.runtime.oauth.verifier, 'verify');
    try {
      const counts: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const before = verify.mock.calls.length;
        const response = await call();
        expect(response.status, await response.clone().text()).toBe(200);
        expect(((await response.json()) as { decision: string }).decision).toBe('allow');
        counts.push(verify.mock.calls.length - before);
      }
      return counts;
    } finally {
      verify.mockRestore();
    }
  }

  const authorizeUrl = () => `${server.url}/v1/authorize`;
  const post = (authorization: string, headers: Record<string, string> = {}) =>
    fetch(authorizeUrl(), { method: 'POST', headers: { authorization, 'content-type': 'application/json', ...headers }, body: JSON.stringify(calendarRead()) });

  it('as Bearer: 1, 0, 0', async () => {
    const token = await agent.token();
    expect(await verificationsPerCall(() => post(`Bearer ${token}`))).toEqual([1, 0, 0]);
  });

  it('bound to a DPoP key, each call with its own fresh proof: 1, 0, 0', async () => {
    const keys = await generateKeyPair('EdDSA', { extractable: true });
    const jwk = await exportJWK(keys.publicKey);
    const proof = (htm: string, htu: string, claims: Record<string, unknown> = {}) =>
      new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), htm, htu, ...claims }).setProtectedHeader({ alg: 'EdDSA', typ: 'dpop+jwt', jwk }).sign(keys.privateKey);
    const issued = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret), dpop: await proof('POST', `${server.url}/oauth2/token`) });
    expect(issued.body.token_type).toBe('DPoP');
    const token = issued.body.access_token as string;
    const ath = accessTokenHash(token);
    expect(await verificationsPerCall(async () => post(`DPoP ${token}`, { dpop: await proof('POST', authorizeUrl(), { ath }) }))).toEqual([1, 0, 0]);
    // Cached or not, a bound token needs a proof of this very request each time.
    expect((await post(`DPoP ${token}`)).status).toBe(401);
    expect((await post(`Bearer ${token}`)).status).toBe(401);
    const reused = await proof('POST', authorizeUrl(), { ath });
    expect((await post(`DPoP ${token}`, { dpop: reused })).status).toBe(200);
    expect((await post(`DPoP ${token}`, { dpop: reused })).status).toBe(401);
  });
});

/**
 * The cache never outlives what would refuse a token: each case first makes the token cached
 * (an allowed decision), then withdraws it and expects the very next call to be refused.
 */
describe.each(storeKinds())('a cached access token is refused at once on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startOAuthServer(kind);
  });
  afterAll(async () => server?.stop());

  const decide = (token: string) =>
    fetch(`${server.url}/v1/authorize`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(calendarRead()) });
  async function cachedToken(agent: PolicyAgent): Promise<string> {
    const token = await agent.token();
    for (let i = 0; i < 2; i += 1) expect((await decide(token)).status).toBe(200);
    return token;
  }

  it('after the token is revoked', async () => {
    const agent = await policyAgent(server, { name: `revoked ${kind}` });
    const token = await cachedToken(agent);
    expect((await postForm(server, '/oauth2/revoke', { token }, { authorization: basic(agent.clientId, agent.clientSecret) })).status).toBe(200);
    expect((await decide(token)).status).toBe(401);
  });

  it('after its agent is suspended', async () => {
    const agent = await policyAgent(server, { name: `suspended ${kind}` });
    const token = await cachedToken(agent);
    expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'incident' })).status).toBe(200);
    expect((await decide(token)).status).toBe(401);
  });

  it('after the key that signed it leaves the published set', async () => {
    const agent = await policyAgent(server, { name: `key gone ${kind}` });
    const token = await cachedToken(agent);
    const { kid } = decodeProtectedHeader(token);
    expect((await server.api('POST', '/v1/keys/rotate', { immediate: true })).status).toBe(200);
    // What removing a compromised key does (on this or another replica), then the periodic reload.
    await server.runtime.store.db.deleteFrom('oauth_signing_keys').where('kid', '=', kid!).execute();
    await server.runtime.oauth.keys.reload();
    expect((await decide(token)).status).toBe(401);
  });
});
