/**
 * Mandate's own JWT-SVIDs as client assertions (issue 13 item 7, last sentence) against a real
 * server (SQLite and PostgreSQL) on a manual clock: an agent that sends no secret gets an
 * access token with the JWT-SVID Mandate issued it (aud its token endpoint or issuer), also
 * one signed by a CA rotated out since. Refused: a JWT-SVID for another audience, an expired
 * one, a JWT claiming Mandate's issuer but signed by a key not in the bundle (another CA, another
 * trust domain), a suspended agent's, and agent A's JWT-SVID presented as agent B's client_id.
 */
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { agentToken } from './support.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SKEW_MS = 30_000;

describe.each(storeKinds())('Mandate JWT-SVIDs as client assertions (%s)', (kind) => {
  const clock = new ManualClock(Date.now());
  let mandate: TestServer;
  let alice: RegisteredAgent;
  let bob: RegisteredAgent;
  let tokenEndpoint: string;

  beforeAll(async () => {
    mandate = await startOAuthServer(kind, { clock });
    alice = await registerAgent(mandate);
    bob = await registerAgent(mandate);
    tokenEndpoint = `${mandate.config.issuer}/oauth2/token`;
  });
  afterAll(async () => {
    await mandate?.stop();
  });

  /** A JWT-SVID for `agent` from `POST /v1/svids/jwt` (the agent's access token authenticates that call). */
  async function jwtSvid(agent: RegisteredAgent, audience: string | string[], ttlSeconds?: number): Promise<string> {
    const { status, body } = await mandate.api('POST', '/v1/svids/jwt', { audience, ...(ttlSeconds ? { ttl_seconds: ttlSeconds } : {}) }, { token: await agentToken(mandate, agent) });
    expect(status).toBe(201);
    return body.token as string;
  }

  const exchange = (assertion: string, extra: Record<string, string> = {}) =>
    postForm(mandate, '/oauth2/token', { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, ...extra });

  it('carries Mandate’s issuer as iss, the agent’s SPIFFE ID as sub', async () => {
    const claims = decodeJwt(await jwtSvid(alice, tokenEndpoint));
    expect(claims).toMatchObject({ iss: mandate.config.issuer, sub: `spiffe://mandate.local/agent/${alice.id}`, aud: [tokenEndpoint] });
  });

  it('gives the agent a token for its JWT-SVID, no secret sent (aud: the token endpoint or the issuer)', async () => {
    for (const audience of [tokenEndpoint, mandate.config.issuer]) {
      const { status, body } = await exchange(await jwtSvid(alice, audience));
      expect(status).toBe(200);
      const claims = decodeJwt(body.access_token as string);
      expect(claims.sub).toBe(alice.id);
      expect(claims.client_id).toBe(alice.clientId);
    }
    // The SPIFFE ID as client_id is the assertion's own sub: accepted too.
    const svid = await jwtSvid(alice, tokenEndpoint);
    expect((await exchange(svid, { client_id: `spiffe://mandate.local/agent/${alice.id}` })).status).toBe(200);
  });

  it('refuses a JWT-SVID for another audience', async () => {
    const { status, body } = await exchange(await jwtSvid(alice, 'https://billing.example'));
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
    expect(body.error_description).toMatch(/aud/);
  });

  it('refuses an expired JWT-SVID', async () => {
    const svid = await jwtSvid(alice, tokenEndpoint, 30);
    clock.advance(30_000 + SKEW_MS + 1_000);
    const { status, body } = await exchange(svid);
    expect(status).toBe(401);
    expect(body.error_description).toMatch(/exp/);
  });

  it('refuses a JWT claiming Mandate’s issuer but signed by a key not in the bundle (another CA or trust domain)', async () => {
    const bundle = (await (await fetch(`${mandate.url}/v1/bundle`, { headers: { accept: 'application/json' } })).json()) as { keys: Array<{ use: string; kid?: string }> };
    const caKid = bundle.keys.find((k) => k.use === 'jwt-svid')!.kid!;
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(clock.now() / 1000);
    const forge = (kid: string, sub: string) =>
      new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).setIssuer(mandate.config.issuer).setSubject(sub).setAudience(tokenEndpoint).setIssuedAt(now).setExpirationTime(now + 60).sign(privateKey);
    for (const forged of [await forge(caKid, `spiffe://mandate.local/agent/${alice.id}`), await forge('another-ca', `spiffe://mandate.local/agent/${alice.id}`), await forge('another-ca', `spiffe://other.example/agent/${alice.id}`)]) {
      const { status, body } = await exchange(forged);
      expect(status).toBe(401);
      expect(body.error_description).toMatch(/does not verify against Mandate's trust bundle/);
    }
  });

  it('accepts a JWT-SVID signed by a CA rotated out since: the old CA stays in the bundle', async () => {
    const svid = await jwtSvid(alice, tokenEndpoint);
    expect((await mandate.api('POST', '/v1/ca/rotate', {})).status).toBe(200);
    const { status } = await exchange(svid);
    expect(status).toBe(200);
    expect(decodeJwt(await jwtSvid(alice, tokenEndpoint)).sub).toBe(decodeJwt(svid).sub);
  });

  it('refuses a suspended agent’s JWT-SVID', async () => {
    const carol = await registerAgent(mandate);
    const svid = await jwtSvid(carol, tokenEndpoint);
    expect((await mandate.api('POST', `/v1/agents/${carol.id}/suspend`, { reason: 'incident' })).status).toBe(200);
    const { status, body } = await exchange(svid);
    expect(status).toBe(401);
    expect(body.error_description).toMatch(/suspended/);
  });

  it('refuses agent A’s JWT-SVID presented as agent B’s client_id', async () => {
    const svid = await jwtSvid(alice, tokenEndpoint);
    const { status, body } = await exchange(svid, { client_id: bob.clientId });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toMatch(/client_id does not match/);
  });

  it('refuses trusting Mandate’s own issuer as a workload issuer: it is trusted already', async () => {
    const { status, body } = await mandate.api('POST', '/v1/workload-issuers', { issuer: mandate.config.issuer, rules: [{ agent_id: bob.id, spiffe_id: `spiffe://mandate.local/agent/${alice.id}` }] });
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('trusted already');
  });
});
