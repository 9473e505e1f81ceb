/**
 * The SDK against a real Mandate server: AgentAuthService with each client authentication
 * method, the token verifier (JWKS, claims, delegation-free tokens), revocations learned
 * through the feed, and a DPoP round trip to a Fastify resource server using the SDK's
 * pre-handler. Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair } from 'jose';
import {
  AgentAuthService,
  createTokenVerifier,
  fastifyPreHandler,
  InvalidClientError,
  InvalidScopeError,
  TokenVerificationError,
  type MandateAuthenticatedRequest,
  type TokenVerifier,
} from '@mandate/sdk';
import { storeKinds } from '../support/stores.js';
import type { TestServer } from '../support/server.js';
import { registerAgent, registerResourceServer, startOAuthServer } from './support.js';

const AUDIENCE = 'https://orders.example';

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenVerificationError);
  return (error as TokenVerificationError).code;
}

describe.each(storeKinds())('SDK against the server (%s)', (kind) => {
  let server: TestServer;
  let verifier: TokenVerifier;
  let api: FastifyInstance;
  let apiUrl: string;

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    const rs = await registerResourceServer(server, AUDIENCE, ['orders:read', 'orders:write']);
    verifier = createTokenVerifier({
      issuer: server.url,
      audience: AUDIENCE,
      revocation: { credentials: rs, waitSeconds: 25 },
    });
    api = Fastify();
    api.get('/orders', { preHandler: fastifyPreHandler(verifier, { requiredScopes: ['orders:read'] }) }, async (request) => {
      const { mandate } = request as unknown as MandateAuthenticatedRequest;
      return { agent: mandate.subject, binding: mandate.binding?.type ?? null };
    });
    await api.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await verifier?.close();
    await api?.close();
    await server?.stop();
  });

  const agentService = (agent: { clientId: string; clientSecret: string }, extra: Partial<ConstructorParameters<typeof AgentAuthService>[0]> = {}) =>
    new AgentAuthService({ issuer: server.url, clientId: agent.clientId, clientSecret: agent.clientSecret, resource: AUDIENCE, scope: 'orders:read', ...extra });

  it('client_secret_basic: the token verifies, with the agent as subject and the granted scope', async () => {
    const agent = await registerAgent(server);
    const auth = agentService(agent);
    const set = await auth.getTokenSet();
    expect(set.tokenType).toBe('Bearer');
    const verified = await verifier.verify(set.accessToken);
    expect(verified).toMatchObject({ subject: agent.id, clientId: agent.clientId, scopes: ['orders:read'], delegation: [], binding: undefined });
    // Cached: the same token again, without a second request.
    expect(await auth.getToken()).toBe(set.accessToken);
  });

  it('client_secret_post', async () => {
    const agent = await registerAgent(server);
    const auth = agentService(agent, { clientSecret: undefined, auth: { method: 'client_secret_post', clientSecret: agent.clientSecret } });
    await expect(verifier.verify(await auth.getToken())).resolves.toMatchObject({ subject: agent.id });
  });

  it('private_key_jwt with a key registered in the agent JWKS', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'agent-key', alg: 'EdDSA', use: 'sig' };
    const agent = await registerAgent(server, { jwks: { keys: [publicJwk] } });
    const auth = new AgentAuthService({
      issuer: server.url,
      clientId: agent.clientId,
      auth: { method: 'private_key_jwt', privateKey, alg: 'EdDSA', kid: 'agent-key' },
      resource: AUDIENCE,
      scope: ['orders:read', 'orders:write'],
    });
    const verified = await verifier.verify(await auth.getToken());
    expect(verified.scopes.sort()).toEqual(['orders:read', 'orders:write']);
    // A fresh assertion (new jti) per request: a forced refresh is not refused as a replay.
    await expect(auth.getToken({ forceRefresh: true })).resolves.toEqual(expect.any(String));
  });

  it('typed errors: a wrong secret is InvalidClientError, an unregistered scope InvalidScopeError', async () => {
    const agent = await registerAgent(server);
    await expect(agentService({ clientId: agent.clientId, clientSecret: 'wrong' }).getToken()).rejects.toBeInstanceOf(InvalidClientError);
    const error = await agentService(agent, { scope: 'admin:everything' })
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidScopeError);
    expect(error).toMatchObject({ code: 'invalid_scope', status: 400 });
  });

  it('a token for another audience is refused', async () => {
    const agent = await registerAgent(server);
    const forMandate = await agentService(agent, { resource: undefined, scope: undefined }).getToken();
    expect(await refusal(verifier.verify(forMandate))).toBe('ERR_TOKEN_AUDIENCE_INVALID');
  });

  it('learns of a revoked token through the feed within 5 s', async () => {
    const agent = await registerAgent(server);
    const auth = agentService(agent);
    const token = await auth.getToken();
    await verifier.verify(token);
    await auth.revoke(token);
    await vi.waitFor(async () => expect(await refusal(verifier.verify(token))).toBe('ERR_TOKEN_REVOKED'), { timeout: 5_000, interval: 50 });
  });

  it('learns of a suspended agent through the feed within 5 s, and accepts its tokens after resume', async () => {
    const agent = await registerAgent(server);
    const token = await agentService(agent).getToken();
    await verifier.verify(token);
    expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'investigation' })).status).toBeLessThan(300);
    await vi.waitFor(async () => expect(await refusal(verifier.verify(token))).toBe('ERR_AGENT_REVOKED'), { timeout: 5_000, interval: 50 });
    expect((await server.api('POST', `/v1/agents/${agent.id}/resume`, {})).status).toBeLessThan(300);
    // iat has one-second resolution: a token minted in the second of the mark is still refused.
    await vi.waitFor(async () => expect((await verifier.verify(await agentService(agent).getToken({ forceRefresh: true }))).subject).toBe(agent.id), { timeout: 5_000, interval: 250 });
  });

  it('falls back to introspection while the feed is unreachable, when configured to', async () => {
    const rs = await registerResourceServer(server, 'https://fallback.example', ['orders:read']);
    const fallback = createTokenVerifier({
      issuer: server.url,
      audience: 'https://fallback.example',
      // A feed URL where nothing listens, and no tolerance: every verification introspects.
      revocation: { credentials: rs, endpoint: 'http://127.0.0.1:9/oauth2/revocations', toleranceSeconds: 0, whenUnavailable: 'introspect' },
    });
    try {
      const agent = await registerAgent(server);
      const auth = agentService(agent, { resource: 'https://fallback.example' });
      const token = await auth.getToken();
      await expect(fallback.verify(token)).resolves.toMatchObject({ subject: agent.id });
      await auth.revoke(token);
      expect(await refusal(fallback.verify(token))).toBe('ERR_TOKEN_REVOKED');
    } finally {
      await fallback.close();
    }
  });

  it('DPoP round trip: a bound token reaches the resource server, a replayed proof does not', async () => {
    const agent = await registerAgent(server);
    const captured: Request[] = [];
    const auth = agentService(agent, {
      dpop: true,
      fetch: async (input, init) => {
        if (input instanceof Request) captured.push(input.clone());
        return fetch(input, init);
      },
    });
    const set = await auth.getTokenSet();
    expect(set.tokenType).toBe('DPoP');
    const response = await auth.fetch(`${apiUrl}/orders?page=1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ agent: agent.id, binding: 'dpop' });

    const sent = captured.at(-1)!;
    expect(sent.headers.get('authorization')).toBe(`DPoP ${set.accessToken}`);
    const replay = await fetch(sent.url, { headers: { authorization: sent.headers.get('authorization')!, dpop: sent.headers.get('dpop')! } });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'ERR_DPOP_PROOF_REPLAYED' });

    const asBearer = await fetch(`${apiUrl}/orders`, { headers: { authorization: `Bearer ${set.accessToken}` } });
    expect(asBearer.status).toBe(401);
    expect(await asBearer.json()).toMatchObject({ code: 'ERR_DPOP_REQUIRED' });
  });

  it('100 concurrent getToken() calls make one token request to the server', async () => {
    const agent = await registerAgent(server);
    let tokenRequests = 0;
    const auth = agentService(agent, {
      fetch: async (input, init) => {
        if (String(input).endsWith('/oauth2/token')) tokenRequests++;
        return fetch(input, init);
      },
    });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => auth.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tokenRequests).toBe(1);
  });
});
