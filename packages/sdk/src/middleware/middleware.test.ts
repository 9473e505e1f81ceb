/**
 * The Fastify pre-handler (on a real Fastify app) and the fetch-style wrapper, with tokens from
 * the stub authorization server (test/stub-authorization-server.ts), which stands in for Mandate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyPreHandler, type MandateAuthenticatedRequest } from './fastify.js';
import { withTokenVerification } from './fetch-handler.js';
import { createTokenVerifier, type TokenVerifier } from '../verifier/verifier.js';
import { createDpopProof, generateDpopKey } from '../oauth/dpop.js';
import { parseWwwAuthenticate } from '../shared/www-authenticate.js';
import { startStubServer, type StubServer } from '../../test/stub-authorization-server.js';

const AUDIENCE = 'https://api.example';
let stub: StubServer;
let verifier: TokenVerifier;
let app: FastifyInstance;

beforeAll(async () => {
  stub = await startStubServer();
  verifier = createTokenVerifier({ issuer: stub.issuer, audience: AUDIENCE, revocation: { credentials: { clientId: 'rs', clientSecret: 'x' }, waitSeconds: 1 } });
  app = Fastify();
  app.get('/orders', { preHandler: fastifyPreHandler(verifier, { requiredScopes: ['orders:read'] }) }, async (request) => {
    const { mandate } = request as unknown as MandateAuthenticatedRequest;
    return { subject: mandate.subject, chain: mandate.delegation.map((a) => a.sub) };
  });
  app.get('/described', { preHandler: fastifyPreHandler(verifier, { resource: 'https://api.example/described' }) }, async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await verifier.close();
  await stub.close();
});

function token(extra: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return stub.sign({ iss: stub.issuer, sub: 'agt_1', aud: AUDIENCE, iat: now, exp: now + 300, jti: crypto.randomUUID(), client_id: 'mcl_1', scope: 'orders:read', ...extra });
}

const appUrl = () => `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

describe('fastifyPreHandler', () => {
  it('lets a valid token through and puts the verified token on the request', async () => {
    const response = await fetch(`${appUrl()}/orders`, { headers: { authorization: `Bearer ${await token({ act: { sub: 'agt_2' } })}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'agt_1', chain: ['agt_2'] });
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const response = await fetch(`${appUrl()}/orders`);
    expect(response.status).toBe(401);
    const [bearer] = parseWwwAuthenticate(response.headers.get('www-authenticate'));
    expect(bearer).toEqual({ scheme: 'Bearer', params: {} });
    expect(await response.json()).toMatchObject({ code: 'ERR_TOKEN_MISSING' });
  });

  it('names the RFC 9728 metadata (resource_metadata) when given the resource', async () => {
    const response = await fetch(`${appUrl()}/described`);
    expect(response.status).toBe(401);
    expect(parseWwwAuthenticate(response.headers.get('www-authenticate'))[0]).toEqual({
      scheme: 'Bearer',
      params: { resource_metadata: 'https://api.example/.well-known/oauth-protected-resource/described' },
    });
  });

  it('answers 401 invalid_token for an expired token and 403 insufficient_scope for a missing scope', async () => {
    const expired = await fetch(`${appUrl()}/orders`, { headers: { authorization: `Bearer ${await token({ exp: 1000 })}` } });
    expect(expired.status).toBe(401);
    expect(parseWwwAuthenticate(expired.headers.get('www-authenticate'))[0]!.params).toMatchObject({ error: 'invalid_token' });
    expect(await expired.json()).toMatchObject({ error: 'invalid_token', code: 'ERR_TOKEN_EXPIRED' });

    const narrow = await fetch(`${appUrl()}/orders`, { headers: { authorization: `Bearer ${await token({ scope: 'other' })}` } });
    expect(narrow.status).toBe(403);
    expect(parseWwwAuthenticate(narrow.headers.get('www-authenticate'))[0]!.params).toMatchObject({ error: 'insufficient_scope', scope: 'orders:read' });
  });

  it('checks DPoP proofs against the URL the client addressed', async () => {
    const key = await generateDpopKey();
    const bound = await token({ cnf: { jkt: key.thumbprint } });
    const url = `${appUrl()}/orders?x=1`;
    const ok = await fetch(url, { headers: { authorization: `DPoP ${bound}`, dpop: await createDpopProof(key, { method: 'GET', url, accessToken: bound, now: Date.now() }) } });
    expect(ok.status).toBe(200);
    const wrong = await fetch(url, { headers: { authorization: `DPoP ${bound}`, dpop: await createDpopProof(key, { method: 'GET', url: `${appUrl()}/elsewhere`, accessToken: bound, now: Date.now() }) } });
    expect(wrong.status).toBe(401);
    const [challenge] = parseWwwAuthenticate(wrong.headers.get('www-authenticate'));
    expect(challenge).toMatchObject({ scheme: 'DPoP', params: { error: 'invalid_dpop_proof' } });
    expect(challenge!.params.algs).toContain('ES256');
  });
});

describe('withTokenVerification', () => {
  it('runs the handler only with a verified token', async () => {
    const handler = withTokenVerification(verifier, async (_request, verified) => Response.json({ sub: verified.subject }), { requiredScopes: ['orders:read'] });
    const ok = await handler(new Request('https://api.example/orders', { headers: { authorization: `Bearer ${await token()}` } }));
    expect(await ok.json()).toEqual({ sub: 'agt_1' });
    const refused = await handler(new Request('https://api.example/orders', { headers: { authorization: 'Bearer nope' } }));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await refused.json()).toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
  });

  it('names the RFC 9728 metadata in its challenges when given the resource', async () => {
    const handler = withTokenVerification(verifier, async () => new Response(null, { status: 204 }), { requiredScopes: ['orders:read'], resource: 'https://api.example/orders' });
    const missing = await handler(new Request('https://api.example/orders'));
    expect(parseWwwAuthenticate(missing.headers.get('www-authenticate'))[0]).toEqual({
      scheme: 'Bearer',
      params: { resource_metadata: 'https://api.example/.well-known/oauth-protected-resource/orders' },
    });
    const narrow = await handler(new Request('https://api.example/orders', { headers: { authorization: `Bearer ${await token({ scope: 'other' })}` } }));
    expect(narrow.status).toBe(403);
    expect(parseWwwAuthenticate(narrow.headers.get('www-authenticate'))[0]!.params).toMatchObject({
      resource_metadata: 'https://api.example/.well-known/oauth-protected-resource/orders',
      error: 'insufficient_scope',
      scope: 'orders:read',
    });
  });
});
