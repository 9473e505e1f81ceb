import { randomUUID } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenHash } from '../../src/oauth/dpop.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe.each(storeKinds())('DPoP (RFC 9449) on %s', (kind) => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  let agent: RegisteredAgent;
  let keyPair: Awaited<ReturnType<typeof oauth.generateKeyPair>>;
  let publicJwk: Record<string, unknown>;

  /** A hand-made proof, so each field can be got wrong on purpose. */
  const proof = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...claims })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'dpop+jwt', jwk: publicJwk as never, ...header })
      .sign(keyPair.privateKey);

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    agent = await registerAgent(server);
    keyPair = await oauth.generateKeyPair('EdDSA', { extractable: true });
    publicJwk = (await exportJWK(keyPair.publicKey)) as Record<string, unknown>;
  });
  afterAll(async () => server?.stop());

  it('issues a DPoP-bound token to oauth4webapi and accepts it on /v1 with a proof', async () => {
    const client: oauth.Client = { client_id: agent.clientId };
    const dpop = oauth.DPoP(client, keyPair);
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(agent.clientSecret), {}, { DPoP: dpop, ...insecure });
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    expect(result.token_type).toBe('dpop');
    const { payload } = await jwtVerify(result.access_token, createRemoteJWKSet(new URL(as.jwks_uri!)), { issuer: as.issuer, audience: as.issuer, typ: 'at+jwt' });
    expect(payload.cnf).toEqual({ jkt: await calculateJwkThumbprint(publicJwk as never) });

    const url = new URL(`${server.url}/v1/agents/${agent.id}`);
    const ok = await oauth.protectedResourceRequest(result.access_token, 'GET', url, new Headers(), null, { DPoP: dpop, ...insecure });
    expect(ok.status).toBe(200);

    // The bound token as a plain Bearer token is refused (RFC 9449 §7.1).
    const bearer = await server.api('GET', `/v1/agents/${agent.id}`, undefined, { token: result.access_token });
    expect(bearer.status).toBe(401);

    const introspection = await postForm(server, '/oauth2/introspect', { token: result.access_token }, { authorization: `Bearer ${server.adminToken}` });
    expect(introspection.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: payload.cnf && (payload.cnf as { jkt: string }).jkt } });
  });

  it('refuses proofs at /v1 that are replayed, for another URL or method, without ath, or by another key', async () => {
    const tokenEndpoint = `${server.url}/oauth2/token`;
    const issued = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret), dpop: await proof({ htm: 'POST', htu: tokenEndpoint }) });
    expect(issued.body.token_type).toBe('DPoP');
    const token = issued.body.access_token as string;
    const url = `${server.url}/v1/agents/${agent.id}`;
    const call = (dpopProof: string, scheme = 'DPoP') => fetch(url, { headers: { authorization: `${scheme} ${token}`, dpop: dpopProof } }).then((r) => r.status);
    const ath = accessTokenHash(token);

    const good = await proof({ htm: 'GET', htu: url, ath });
    expect(await call(good)).toBe(200);
    expect(await call(good)).toBe(401); // replay
    expect(await call(await proof({ htm: 'GET', htu: url, ath }), 'Bearer')).toBe(401);
    expect(await call(await proof({ htm: 'POST', htu: url, ath }))).toBe(401);
    expect(await call(await proof({ htm: 'GET', htu: `${server.url}/v1/agents`, ath }))).toBe(401);
    expect(await call(await proof({ htm: 'GET', htu: url }))).toBe(401);
    expect(await call(await proof({ htm: 'GET', htu: url, ath: accessTokenHash('another token') }))).toBe(401);
    expect(await call(await proof({ htm: 'GET', htu: url, ath, iat: Math.floor(Date.now() / 1000) - 600 }))).toBe(401);
    const other = await oauth.generateKeyPair('EdDSA', { extractable: true });
    const foreign = await new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), htm: 'GET', htu: url, ath })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'dpop+jwt', jwk: (await exportJWK(other.publicKey)) as never })
      .sign(other.privateKey);
    expect(await call(foreign)).toBe(401);
    // Query strings are not part of htu.
    expect(await fetch(`${url}?x=1`, { headers: { authorization: `DPoP ${token}`, dpop: await proof({ htm: 'GET', htu: url, ath }) } }).then((r) => r.status)).toBe(200);
  });

  it('refuses bad proofs at the token endpoint with invalid_dpop_proof', async () => {
    const tokenEndpoint = `${server.url}/oauth2/token`;
    const ask = (dpop: string) => postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret), dpop });
    const cases = [
      await proof({ htm: 'POST', htu: tokenEndpoint }, { typ: 'JWT' }),
      await proof({ htm: 'GET', htu: tokenEndpoint }),
      await proof({ htm: 'POST', htu: `${server.url}/oauth2/introspect` }),
      await proof({ htm: 'POST', htu: tokenEndpoint, iat: Math.floor(Date.now() / 1000) + 3600 }),
      'not.a.jwt',
    ];
    for (const bad of cases) expect(await ask(bad)).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
    const withPrivate = await proof({ htm: 'POST', htu: tokenEndpoint }, { jwk: { ...(await exportJWK(keyPair.privateKey)) } });
    expect(await ask(withPrivate)).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
    const once = await proof({ htm: 'POST', htu: tokenEndpoint });
    expect((await ask(once)).status).toBe(200);
    expect(await ask(once)).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof', error_description: expect.stringMatching(/already used/) } });
  });
});
