/**
 * An SDK agent that sends no secret: `AgentAuthService` with `client_assertion` fed by
 * `AgentIdentity.clientAssertion()` (Mandate's own JWT-SVIDs, RFC 7523) against a real server
 * (SQLite and PostgreSQL). The identity's access token comes from a supervisor holding the
 * secret, the worker's requests carry neither secret nor client_id; a JWT-SVID is reused until
 * half its lifetime; a peer agent verifies a JWT-SVID made for it against the bundle; once the
 * agent is suspended its JWT-SVID no longer opens the token endpoint.
 */
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentAuthService, InvalidClientError, ManualClock } from '@mandate/sdk';
import { AgentIdentity } from '@mandate/sdk/workload';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { registerAgent, startOAuthServer } from './support.js';

describe.each(storeKinds())('an SDK agent authenticated by its JWT-SVID (%s)', (kind) => {
  let mandate: TestServer;
  let agent: Awaited<ReturnType<typeof registerAgent>>;
  let identity: AgentIdentity;
  const clock = new ManualClock(Date.now());
  /** Every request the worker and the identity send: what left the process. */
  const sent: Array<{ url: string; method: string; headers: Headers; body: string }> = [];
  const recording: typeof fetch = async (input, init) => {
    sent.push({ url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: typeof init?.body === 'string' ? init.body : init?.body ? String(init.body) : '' });
    return fetch(input, init);
  };

  beforeAll(async () => {
    mandate = await startOAuthServer(kind);
    agent = await registerAgent(mandate);
    const supervisor = new AgentAuthService({ issuer: mandate.url, clientId: agent.clientId, clientSecret: agent.clientSecret });
    identity = await AgentIdentity.create({ issuer: mandate.url, accessToken: () => supervisor.getToken(), clock, fetch: recording });
  });
  afterAll(async () => {
    identity?.stop();
    await mandate?.stop();
  });

  const worker = () => new AgentAuthService({ issuer: mandate.url, clientId: agent.clientId, auth: { method: 'client_assertion', assertion: identity.clientAssertion() }, clock, fetch: recording });

  it('gets a token with a JWT-SVID for the token endpoint, sending no secret and no client_id', async () => {
    const service = worker();
    const claims = decodeJwt(await service.getToken());
    expect(claims.sub).toBe(agent.id);
    expect(claims.client_id).toBe(agent.clientId);
    const tokenRequests = sent.filter((r) => r.url.endsWith('/oauth2/token'));
    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0]!.body);
    expect([...form.keys()].sort()).toEqual(['client_assertion', 'client_assertion_type', 'grant_type']);
    expect(tokenRequests[0]!.headers.get('authorization')).toBeNull();
    expect(decodeJwt(form.get('client_assertion')!)).toMatchObject({ iss: mandate.config.issuer, sub: `spiffe://mandate.local/agent/${agent.id}`, aud: [`${mandate.config.issuer}/oauth2/token`] });
  });

  it('reuses a JWT-SVID until half its lifetime is gone, then gets a new one', async () => {
    const service = worker();
    const minted = () => sent.filter((r) => r.url.endsWith('/v1/svids/jwt')).length;
    const before = minted();
    await service.getToken({ forceRefresh: true });
    await service.getToken({ forceRefresh: true });
    expect(minted()).toBe(before + 1);
    clock.advance(151_000); // past half of the server's default 300 s
    await service.getToken({ forceRefresh: true });
    expect(minted()).toBe(before + 2);
  });

  it('gives a peer agent a JWT-SVID it verifies against the bundle and its own audience', async () => {
    const peer = 'spiffe://mandate.local/agent/agt_peer';
    const svid = await identity.jwtSvid(peer);
    const bundle = (await (await fetch(`${mandate.url}/v1/bundle`, { headers: { accept: 'application/json' } })).json()) as { keys: Array<Record<string, unknown>> };
    const keys = createLocalJWKSet({ keys: bundle.keys.filter((k) => k.use === 'jwt-svid').map(({ use: _use, ...key }) => key) } as never);
    const { payload } = await jwtVerify(svid.token, keys, { audience: peer });
    expect(payload.sub).toBe(svid.spiffeId);
    // Made for the peer, it does not open Mandate's token endpoint.
    const service = new AgentAuthService({ issuer: mandate.url, clientId: agent.clientId, auth: { method: 'client_assertion', assertion: () => svid.token } });
    await expect(service.getToken()).rejects.toThrow(InvalidClientError);
  });

  it('stops working once the agent is suspended', async () => {
    const service = worker();
    await service.getToken();
    expect((await mandate.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'incident' })).status).toBe(200);
    await expect(service.getToken({ forceRefresh: true })).rejects.toThrow(/suspended/);
  });
});
