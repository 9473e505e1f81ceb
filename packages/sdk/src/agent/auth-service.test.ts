/**
 * AgentAuthService against a stub authorization server (test/stub-authorization-server.ts),
 * which stands in for Mandate's token endpoint here; packages/server/test/sdk/ runs the same
 * client against the real server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, EmbeddedJWK, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { AgentAuthService } from './auth-service.js';
import { ManualClock } from '../shared/clock.js';
import { InvalidClientError, InvalidScopeError, ServerError, OAuthError } from '../oauth/errors.js';
import { NetworkError } from '../shared/errors.js';
import { sha256Base64url } from '../shared/encoding.js';
import { generateDpopKey } from '../oauth/dpop.js';
import { clockSleeper, startStubServer, type StubServer } from '../../test/stub-authorization-server.js';

let stub: StubServer;
let clock: ManualClock;
let delays: number[];

beforeEach(async () => {
  stub = await startStubServer();
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  delays = [];
});
afterEach(async () => {
  await stub.close();
});

function service(extra: Partial<ConstructorParameters<typeof AgentAuthService>[0]> = {}): AgentAuthService {
  return new AgentAuthService({
    issuer: stub.issuer,
    clientId: 'mcl_agent',
    clientSecret: 's3cret:with space',
    clock,
    sleep: clockSleeper(clock, delays),
    random: () => 0.5,
    ...extra,
  });
}

const tokenRequests = () => stub.requests.filter((r) => r.path === '/oauth2/token');

describe('client authentication', () => {
  it('client_secret_basic form-urlencodes id and secret into the Basic header and asks for scope and resource', async () => {
    const agent = service({ scope: ['orders:read', 'orders:write'], resource: ['https://api.example/'] });
    expect(await agent.getToken()).toBe('tok-0');
    const [request] = tokenRequests();
    const decoded = Buffer.from(String(request!.headers.authorization).replace(/^Basic /, ''), 'base64').toString();
    expect(decoded).toBe('mcl_agent:s3cret%3Awith+space');
    expect(request!.form.get('grant_type')).toBe('client_credentials');
    expect(request!.form.get('scope')).toBe('orders:read orders:write');
    expect(request!.form.getAll('resource')).toEqual(['https://api.example/']);
    expect(request!.form.has('client_secret')).toBe(false);
  });

  it('client_secret_post sends the credentials in the body', async () => {
    const agent = service({ auth: { method: 'client_secret_post', clientSecret: 'pw' } });
    await agent.getToken();
    const [request] = tokenRequests();
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.form.get('client_id')).toBe('mcl_agent');
    expect(request!.form.get('client_secret')).toBe('pw');
  });

  it('private_key_jwt signs an RFC 7523 assertion: iss = sub = client_id, aud = token endpoint, short exp, fresh jti', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'agent-key-1' };
    const publicJwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'agent-key-1' }] });
    const agent = service({ auth: { method: 'private_key_jwt', privateKey: privateJwk } });
    await agent.getToken();
    await agent.getToken({ forceRefresh: true });
    const assertions = tokenRequests().map((r) => {
      expect(r.form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(r.form.has('client_secret')).toBe(false);
      return r.form.get('client_assertion')!;
    });
    const jtis = [];
    for (const assertion of assertions) {
      expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'EdDSA', kid: 'agent-key-1' });
      const { payload } = await jwtVerify(assertion, publicJwks, { currentDate: new Date(clock.now()), audience: stub.tokenEndpoint, issuer: 'mcl_agent', subject: 'mcl_agent' });
      expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(60);
      expect(payload.iat).toBe(Math.floor(clock.now() / 1000));
      jtis.push(payload.jti);
    }
    expect(new Set(jtis).size).toBe(2);
  });
});

describe('caching and refresh', () => {
  it('reuses the token until 30 s before expiry, then fetches a new one', async () => {
    const agent = service();
    expect(await agent.getToken()).toBe('tok-0');
    clock.advance((600 - 31) * 1000);
    expect(await agent.getToken()).toBe('tok-0');
    expect(tokenRequests()).toHaveLength(1);
    clock.advance(2_000);
    expect(await agent.getToken()).toBe('tok-1');
    expect(tokenRequests()).toHaveLength(2);
  });

  it('100 concurrent getToken() calls make exactly one token request', async () => {
    const agent = service();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => agent.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['tok-0']));
    expect(tokenRequests()).toHaveLength(1);
    expect(stub.count('/.well-known/oauth-authorization-server')).toBe(1);
  });

  it('caches per scope and resource', async () => {
    const agent = service();
    await agent.getToken({ scope: 'a b' });
    await agent.getToken({ scope: ['b', 'a'] });
    await agent.getToken({ scope: 'a', resource: 'https://x.example' });
    expect(tokenRequests()).toHaveLength(2);
  });

  it('keeps using a still-valid token when the refresh fails with 5xx, but not after expiry', async () => {
    const agent = service({ retry: { maxAttempts: 2 } });
    await agent.getToken();
    stub.onToken = () => ({ status: 503, body: { error: 'temporarily_unavailable' } });
    clock.advance((600 - 10) * 1000);
    expect(await agent.getToken()).toBe('tok-0');
    clock.advance(20_000);
    await expect(agent.getToken()).rejects.toBeInstanceOf(OAuthError);
  });
});

describe('retries', () => {
  it('retries 5xx with exponential backoff and jitter, then succeeds', async () => {
    stub.onToken = (_request, index) =>
      index < 2 ? { status: 502, body: 'bad gateway' } : { status: 200, body: { access_token: 'finally', token_type: 'Bearer', expires_in: 300 } };
    const agent = service({ retry: { baseDelayMs: 200, maxDelayMs: 5_000, maxAttempts: 4 } });
    expect(await agent.getToken()).toBe('finally');
    expect(tokenRequests()).toHaveLength(3);
    // random() = 0.5: half of 200 ms, then half of 400 ms.
    expect(delays).toEqual([100, 200]);
  });

  it('gives up after maxAttempts with a typed ServerError', async () => {
    stub.onToken = () => ({ status: 500, body: { error: 'server_error', error_description: 'boom' } });
    const agent = service({ retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_500 } });
    const error = await agent.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ code: 'server_error', description: 'boom', status: 500 });
    expect(tokenRequests()).toHaveLength(3);
    expect(delays).toEqual([500, 750]);
  });

  it('retries network errors', async () => {
    let failures = 0;
    const agent = service({
      fetch: async (input, init) => {
        if (String(input).endsWith('/oauth2/token') && failures++ < 2) throw new TypeError('fetch failed: ECONNRESET');
        return fetch(input, init);
      },
    });
    expect(await agent.getToken()).toBe('tok-0');
    expect(failures).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it('reports an unreachable server as NetworkError after the retries', async () => {
    const agent = new AgentAuthService({
      issuer: 'http://127.0.0.1:1',
      clientId: 'x',
      clientSecret: 'y',
      clock,
      sleep: clockSleeper(clock, delays),
      retry: { maxAttempts: 2 },
    });
    await expect(agent.getToken()).rejects.toBeInstanceOf(NetworkError);
    expect(delays).toHaveLength(1);
  });

  it('never retries a 4xx and turns it into a typed error', async () => {
    stub.onToken = () => ({ status: 400, body: { error: 'invalid_scope', error_description: 'scope admin is not granted' } });
    const agent = service();
    const error = await agent.getToken({ scope: 'admin' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidScopeError);
    expect(error).toMatchObject({ code: 'invalid_scope', description: 'scope admin is not granted', status: 400 });
    expect(tokenRequests()).toHaveLength(1);
    expect(delays).toEqual([]);

    stub.onToken = () => ({ status: 401, body: { error: 'invalid_client' }, headers: { 'www-authenticate': 'Basic' } });
    await expect(agent.getToken({ scope: 'other' })).rejects.toBeInstanceOf(InvalidClientError);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('a failed request is not cached: the next call tries again', async () => {
    stub.onToken = (_r, index) => (index === 0 ? { status: 400, body: { error: 'invalid_request' } } : { status: 200, body: { access_token: 'ok', token_type: 'Bearer', expires_in: 60 } });
    const agent = service();
    await expect(agent.getToken()).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await agent.getToken()).toBe('ok');
  });
});

describe('DPoP', () => {
  it('sends a proof for the token endpoint and answers a use_dpop_nonce challenge once', async () => {
    const key = await generateDpopKey();
    stub.onToken = async (request) => {
      const { payload } = await jwtVerify(request.headers.dpop as string, EmbeddedJWK, { typ: 'dpop+jwt' });
      expect(payload).toMatchObject({ htm: 'POST', htu: stub.tokenEndpoint });
      expect(payload.ath).toBeUndefined();
      if (payload.nonce !== 'n-1') return { status: 400, body: { error: 'use_dpop_nonce' }, headers: { 'dpop-nonce': 'n-1' } };
      return { status: 200, body: { access_token: 'bound', token_type: 'DPoP', expires_in: 600 } };
    };
    const agent = service({ dpop: key });
    const set = await agent.getTokenSet();
    expect(set).toMatchObject({ accessToken: 'bound', tokenType: 'DPoP' });
    expect(tokenRequests()).toHaveLength(2);
    expect(delays).toEqual([]);
  });

  it('the authorized fetch sends Authorization: DPoP with a proof carrying ath', async () => {
    const key = await generateDpopKey();
    stub.onToken = () => ({ status: 200, body: { access_token: 'bound-token', token_type: 'DPoP', expires_in: 600 } });
    const seen: Request[] = [];
    const agent = service({
      dpop: key,
      fetch: async (input, init) => {
        if (input instanceof Request && input.url.startsWith('https://api.example')) {
          seen.push(input);
          return new Response('ok');
        }
        return fetch(input, init);
      },
    });
    const response = await agent.fetch('https://api.example/orders?id=7', { method: 'POST', body: '{}' });
    expect(await response.text()).toBe('ok');
    const [request] = seen;
    expect(request!.headers.get('authorization')).toBe('DPoP bound-token');
    const { payload, protectedHeader } = await jwtVerify(request!.headers.get('dpop')!, EmbeddedJWK, { typ: 'dpop+jwt' });
    expect(payload).toMatchObject({ htm: 'POST', htu: 'https://api.example/orders', ath: await sha256Base64url('bound-token') });
    expect(protectedHeader.jwk).toEqual(key.publicJwk);
  });
});

describe('authorized fetch', () => {
  it('answers a resource server nonce challenge once, with the nonce in the next proof', async () => {
    const key = await generateDpopKey();
    stub.onToken = () => ({ status: 200, body: { access_token: 'bound', token_type: 'DPoP', expires_in: 600 } });
    const nonces: unknown[] = [];
    const agent = service({
      dpop: key,
      fetch: async (input, init) => {
        if (input instanceof Request && input.url.startsWith('https://api.example')) {
          const { payload } = await jwtVerify(input.headers.get('dpop')!, EmbeddedJWK, { typ: 'dpop+jwt' });
          nonces.push(payload.nonce);
          if (payload.nonce !== 'rs-nonce') {
            return new Response('', { status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'rs-nonce' } });
          }
          return new Response('ok');
        }
        return fetch(input, init);
      },
    });
    expect((await agent.fetch('https://api.example/a')).status).toBe(200);
    // The nonce is remembered for the origin: the next call sends it at once.
    expect((await agent.fetch('https://api.example/b')).status).toBe(200);
    expect(nonces).toEqual([undefined, 'rs-nonce', 'rs-nonce']);
  });

  it('adds Authorization: Bearer and retries once with a new token after 401 invalid_token', async () => {
    const calls: string[] = [];
    const agent = service({
      fetch: async (input, init) => {
        if (input instanceof Request && input.url.startsWith('https://api.example')) {
          const authorization = input.headers.get('authorization')!;
          calls.push(`${authorization} ${await input.text()}`);
          if (authorization === 'Bearer tok-0') {
            return new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
          }
          return new Response('fine');
        }
        return fetch(input, init);
      },
    });
    const response = await agent.fetch('https://api.example/x', { method: 'PUT', body: 'payload' });
    expect(response.status).toBe(200);
    expect(calls).toEqual(['Bearer tok-0 payload', 'Bearer tok-1 payload']);
  });

  it('does not loop when the new token is refused too', async () => {
    let calls = 0;
    const agent = service({
      fetch: async (input, init) => {
        if (input instanceof Request && input.url.startsWith('https://api.example')) {
          calls++;
          return new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
        }
        return fetch(input, init);
      },
    });
    expect((await agent.fetch('https://api.example/x')).status).toBe(401);
    expect(calls).toBe(2);
  });
});
