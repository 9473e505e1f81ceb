/**
 * The token verifier against a stub authorization server (test/stub-authorization-server.ts)
 * standing in for Mandate: it publishes a JWKS, signs tokens with jose, and serves a
 * long-polling revocation feed shaped as docs/oauth.md describes. The verifier runs on a
 * manual clock; the feed's back-off moves that clock instead of sleeping.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { base64url, SignJWT, UnsecuredJWT } from 'jose';
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './verifier.js';
import { TokenVerificationError } from './errors.js';
import { ManualClock } from '../shared/clock.js';
import { createDpopProof, generateDpopKey } from '../oauth/dpop.js';
import { clockSleeper, startStubServer, type StubServer } from '../../test/stub-authorization-server.js';

const AUDIENCE = 'https://api.example';
let stub: StubServer;
let clock: ManualClock;
let verifier: TokenVerifier | undefined;

beforeEach(async () => {
  stub = await startStubServer();
  clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
});
afterEach(async () => {
  await verifier?.close();
  verifier = undefined;
  await stub.close();
});

const nowSeconds = () => Math.floor(clock.now() / 1000);

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: stub.issuer,
    sub: 'agt_1',
    aud: AUDIENCE,
    iat: nowSeconds(),
    exp: nowSeconds() + 600,
    jti: `jti-${Math.random()}`,
    client_id: 'mcl_1',
    scope: 'orders:read orders:write',
    ...extra,
  };
}

function make(options: Partial<TokenVerifierOptions> = {}): TokenVerifier {
  verifier = createTokenVerifier({
    issuer: stub.issuer,
    audience: AUDIENCE,
    clock,
    sleep: clockSleeper(clock),
    revocation: { credentials: { clientId: 'rs_1', clientSecret: 'rs-secret' }, waitSeconds: 1 },
    ...options,
  });
  return verifier;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenVerificationError);
  return (error as TokenVerificationError).code;
}

describe('accepts', () => {
  it('a valid token, with typed claims and the delegation chain outermost first', async () => {
    const v = make();
    const token = await stub.sign(claims({ sub: 'user_alice', act: { sub: 'agt_child', client_id: 'mcl_child', act: { sub: 'agt_parent' } } }));
    const verified = await v.verify(token);
    expect(verified).toMatchObject({ subject: 'user_alice', clientId: 'mcl_1', scopes: ['orders:read', 'orders:write'] });
    expect(verified.delegation.map((a) => a.sub)).toEqual(['agt_child', 'agt_parent']);
    expect(verified.delegation[0]!.clientId).toBe('mcl_child');
    expect(verified.hasScope('orders:read')).toBe(true);
    expect(verified.expiresAt).toBe((nowSeconds() + 600) * 1000);
  });

  it('authenticates to the feed with the resource server credentials', async () => {
    const v = make();
    await v.ready();
    const feed = stub.requests.find((r) => r.path === '/oauth2/revocations')!;
    expect(feed.headers.authorization).toBe(`Basic ${Buffer.from('rs_1:rs-secret').toString('base64')}`);
  });

  it('a token within the clock skew of its expiry', async () => {
    const v = make({ clockSkewSeconds: 10 });
    const token = await stub.sign(claims({ exp: nowSeconds() - 5 }));
    await expect(v.verify(token)).resolves.toMatchObject({ subject: 'agt_1' });
  });
});

describe('refuses', () => {
  it('alg none', async () => {
    const v = make();
    const token = new UnsecuredJWT(claims()).encode();
    expect(await refusal(v.verify(token))).toBe('ERR_TOKEN_ALG_NOT_ALLOWED');
  });

  it('HS256 signed with the public key as the secret', async () => {
    const v = make();
    const publicKeyBytes = new TextEncoder().encode(JSON.stringify(stub.keys[0]!.publicJwk));
    const rawX = base64url.decode(stub.keys[0]!.publicJwk.x!);
    for (const secret of [publicKeyBytes, rawX]) {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'key-1', typ: 'at+jwt' }).sign(secret);
      expect(await refusal(v.verify(token))).toBe('ERR_TOKEN_ALG_NOT_ALLOWED');
    }
  });

  it('an HS* or none algorithm in the configuration', () => {
    expect(() => createTokenVerifier({ issuer: stub.issuer, audience: AUDIENCE, revocation: false, algorithms: ['HS256'] })).toThrow(/never none or HS/);
    expect(() => createTokenVerifier({ issuer: stub.issuer, audience: AUDIENCE, revocation: false, algorithms: ['none'] })).toThrow(/never none or HS/);
  });

  it('a verifier without a revocation decision', () => {
    expect(() => createTokenVerifier({ issuer: stub.issuer, audience: AUDIENCE } as TokenVerifierOptions)).toThrow(/revocation/);
  });

  it('a tampered payload', async () => {
    const v = make();
    const [header, , signature] = (await stub.sign(claims())).split('.');
    const forged = base64url.encode(JSON.stringify(claims({ scope: 'admin' })));
    expect(await refusal(v.verify(`${header}.${forged}.${signature}`))).toBe('ERR_TOKEN_SIGNATURE_INVALID');
  });

  it('an expired token, a token not yet valid, and one issued in the future', async () => {
    const v = make({ clockSkewSeconds: 10 });
    expect(await refusal(v.verify(await stub.sign(claims({ exp: nowSeconds() - 11 }))))).toBe('ERR_TOKEN_EXPIRED');
    expect(await refusal(v.verify(await stub.sign(claims({ nbf: nowSeconds() + 60 }))))).toBe('ERR_TOKEN_NOT_YET_VALID');
    expect(await refusal(v.verify(await stub.sign(claims({ iat: nowSeconds() + 60 }))))).toBe('ERR_TOKEN_NOT_YET_VALID');
  });

  it('a wrong audience, a wrong issuer, a wrong typ, missing claims', async () => {
    const v = make();
    expect(await refusal(v.verify(await stub.sign(claims({ aud: 'https://other.example' }))))).toBe('ERR_TOKEN_AUDIENCE_INVALID');
    expect(await refusal(v.verify(await stub.sign(claims({ iss: 'https://evil.example' }))))).toBe('ERR_TOKEN_ISSUER_INVALID');
    expect(await refusal(v.verify(await stub.sign(claims(), { typ: 'JWT' })))).toBe('ERR_TOKEN_TYPE_INVALID');
    expect(await refusal(v.verify(await stub.sign(claims({ jti: undefined }))))).toBe('ERR_TOKEN_CLAIM_INVALID');
    expect(await refusal(v.verify(await stub.sign(claims({ client_id: undefined }))))).toBe('ERR_TOKEN_CLAIM_INVALID');
    expect(await refusal(v.verify(await stub.sign(claims({ act: { iss: 'no sub' } }))))).toBe('ERR_TOKEN_CLAIM_INVALID');
    expect(await refusal(v.verify('not.a.jwt'))).toBe('ERR_TOKEN_MALFORMED');
  });

  it('a token lacking a required scope, with 403 insufficient_scope', async () => {
    const v = make({ requiredScopes: ['orders:read'] });
    const token = await stub.sign(claims({ scope: 'orders:write' }));
    const error = (await v.verify(token).catch((e: unknown) => e)) as TokenVerificationError;
    expect(error.code).toBe('ERR_INSUFFICIENT_SCOPE');
    expect(error.status).toBe(403);
    expect(v.challenge(error)).toContain('error="insufficient_scope"');
    expect(v.challenge(error)).toContain('scope="orders:read"');
  });
});

describe('JWKS cache', () => {
  it('refetches on an unknown kid (key rotation), at most once per cooldown', async () => {
    const v = make({ jwks: { cooldownSeconds: 10 } });
    await v.verify(await stub.sign(claims()));
    expect(stub.count('/jwks')).toBe(1);

    // Unpublished key: one refetch, then refused; a second try within the cooldown fetches nothing.
    const rogue = await stub.addKey('rogue', false);
    clock.advance(11_000);
    expect(await refusal(v.verify(await stub.sign(claims(), { key: rogue })))).toBe('ERR_TOKEN_KEY_UNKNOWN');
    expect(stub.count('/jwks')).toBe(2);
    expect(await refusal(v.verify(await stub.sign(claims(), { key: rogue })))).toBe('ERR_TOKEN_KEY_UNKNOWN');
    expect(stub.count('/jwks')).toBe(2);

    // A rotated key published meanwhile is picked up once the cooldown has passed.
    const rotated = await stub.addKey('key-2');
    expect(await refusal(v.verify(await stub.sign(claims(), { key: rotated })))).toBe('ERR_TOKEN_KEY_UNKNOWN');
    clock.advance(10_000);
    await expect(v.verify(await stub.sign(claims(), { key: rotated }))).resolves.toMatchObject({ subject: 'agt_1' });
    expect(stub.count('/jwks')).toBe(3);
  });

  it('refreshes the set in the background after its max age, dropping removed keys', async () => {
    const v = make({ revocation: false, jwks: { maxAgeSeconds: 600 } });
    const token = await stub.sign(claims({ exp: nowSeconds() + 3600 }));
    await v.verify(token);
    stub.published = [];
    clock.advance(601_000);
    // This verification still uses the cached key and starts the refresh…
    await expect(v.verify(token)).resolves.toBeDefined();
    await vi.waitFor(() => expect(stub.count('/jwks')).toBe(2), { timeout: 5_000, interval: 10 });
    // …after which the withdrawn key is gone.
    await vi.waitFor(async () => expect(await refusal(v.verify(token))).toBe('ERR_TOKEN_KEY_UNKNOWN'), { timeout: 5_000, interval: 10 });
  });

  it('concurrent misses share one refetch', async () => {
    const v = make();
    await v.ready();
    clock.advance(60_000);
    const rotated = await stub.addKey('key-2');
    const token = await stub.sign(claims(), { key: rotated });
    await Promise.all(Array.from({ length: 20 }, () => v.verify(token)));
    expect(stub.count('/jwks')).toBe(2);
  });

  it('a key is never used with another algorithm than its own', async () => {
    const v = make();
    // An EdDSA-signed token relabelled ES256: the key's published alg decides, not the header.
    const [, payload, signature] = (await stub.sign(claims())).split('.');
    const header = base64url.encode(JSON.stringify({ alg: 'ES256', kid: 'key-1', typ: 'at+jwt' }));
    expect(await refusal(v.verify(`${header}.${payload}.${signature}`))).toBe('ERR_TOKEN_ALG_NOT_ALLOWED');
  });
});

describe('revocation feed', () => {
  it('applies the retained history before the first verification', async () => {
    const token = await stub.sign(claims({ jti: 'old-revoked' }));
    stub.pushEvent({ kind: 'token', jti: 'old-revoked', exp: nowSeconds() + 600 });
    const v = make();
    expect(await refusal(v.verify(token))).toBe('ERR_TOKEN_REVOKED');
  });

  it('learns of a revoked jti through the long-poll within 5 s', async () => {
    const v = make({ revocation: { credentials: { clientId: 'rs', clientSecret: 'x' }, waitSeconds: 25 } });
    const token = await stub.sign(claims({ jti: 'soon-revoked' }));
    await v.verify(token);
    stub.pushEvent({ kind: 'token', jti: 'soon-revoked', exp: nowSeconds() + 600 });
    await vi.waitFor(async () => expect(await refusal(v.verify(token))).toBe('ERR_TOKEN_REVOKED'), { timeout: 5_000, interval: 20 });
  });

  it('rejects tokens of a revoked agent issued at or before the mark, as subject, client or actor', async () => {
    const v = make();
    const before = {
      asSubject: await stub.sign(claims({ sub: 'agt_bad' })),
      asClient: await stub.sign(claims({ sub: 'agt_x', client_id: 'mcl_bad' })),
      asActor: await stub.sign(claims({ sub: 'user_1', act: { sub: 'agt_ok', act: { sub: 'agt_bad' } } })),
    };
    const unrelated = await stub.sign(claims({ sub: 'agt_good', client_id: 'mcl_good' }));
    stub.pushEvent({ kind: 'agent', agent_id: 'agt_bad', client_id: 'mcl_bad', not_before: nowSeconds() });
    await v.ready();
    for (const token of Object.values(before)) expect(await refusal(v.verify(token))).toBe('ERR_AGENT_REVOKED');
    await expect(v.verify(unrelated)).resolves.toBeDefined();
    clock.advance(2_000);
    // A resumed agent's new tokens (iat after the mark) are accepted.
    await expect(v.verify(await stub.sign(claims({ sub: 'agt_bad' })))).resolves.toMatchObject({ subject: 'agt_bad' });
  });

  it('fails closed when the feed is unreachable for longer than the tolerance, and recovers', async () => {
    const v = make({ revocation: { credentials: { clientId: 'rs', clientSecret: 'x' }, waitSeconds: 1, toleranceSeconds: 5 } });
    const token = await stub.sign(claims({ exp: nowSeconds() + 900 }));
    await v.verify(token);
    let down = true;
    stub.onFeed = () => (down ? { status: 503, body: { error: 'temporarily_unavailable' } } : undefined);
    stub.pushEvent({ kind: 'token', jti: 'unrelated', exp: nowSeconds() + 600 });
    await vi.waitFor(async () => expect(await refusal(v.verify(token))).toBe('ERR_VERIFIER_UNAVAILABLE'), { timeout: 5_000, interval: 20 });
    const error = (await v.verify(token).catch((e: unknown) => e)) as TokenVerificationError;
    expect(error.status).toBe(503);
    down = false;
    await vi.waitFor(() => v.verify(token), { timeout: 5_000, interval: 20 });
  });

  it('fails closed at start-up when the feed refuses the credentials', async () => {
    stub.onFeed = () => ({ status: 401, body: { error: 'invalid_client' }, headers: { 'www-authenticate': 'Basic' } });
    const v = make();
    const token = await stub.sign(claims());
    const error = (await v.verify(token).catch((e: unknown) => e)) as TokenVerificationError;
    expect(error.code).toBe('ERR_VERIFIER_UNAVAILABLE');
    expect(String((error.cause as Error).message)).toMatch(/invalid_client/);
  });

  it("whenUnavailable: 'introspect' asks the introspection endpoint while the feed is down", async () => {
    stub.onFeed = () => ({ status: 503, body: { error: 'temporarily_unavailable' } });
    const active = new Set<string>();
    stub.routes.set('POST /oauth2/introspect', (request) => {
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from('rs:x').toString('base64')}`);
      return { status: 200, body: { active: active.has(request.form.get('token')!) } };
    });
    const v = make({ revocation: { credentials: { clientId: 'rs', clientSecret: 'x' }, whenUnavailable: 'introspect' } });
    const good = await stub.sign(claims());
    const revoked = await stub.sign(claims());
    active.add(good);
    await expect(v.verify(good)).resolves.toMatchObject({ subject: 'agt_1' });
    expect(await refusal(v.verify(revoked))).toBe('ERR_TOKEN_REVOKED');
    expect(stub.count('/oauth2/introspect')).toBe(2);
    // Signatures are still checked locally first.
    expect(await refusal(v.verify(await stub.sign(claims({ aud: 'https://other.example' }))))).toBe('ERR_TOKEN_AUDIENCE_INVALID');
    expect(stub.count('/oauth2/introspect')).toBe(2);
  });

  it('close() ends the long-poll and the loop', async () => {
    const v = make({ revocation: { credentials: { clientId: 'rs', clientSecret: 'x' }, waitSeconds: 30 } });
    await v.ready();
    await vi.waitFor(() => expect(stub.requests.some((r) => r.path === '/oauth2/revocations' && r.query.get('wait') === '30')).toBe(true), { timeout: 5_000, interval: 10 });
    await v.close();
    const polls = stub.count('/oauth2/revocations');
    stub.pushEvent({ kind: 'token', jti: 'after-close', exp: nowSeconds() + 60 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stub.count('/oauth2/revocations')).toBe(polls);
    verifier = undefined;
  });

  it('revocation: false verifies without a feed', async () => {
    const v = make({ revocation: false });
    await v.verify(await stub.sign(claims()));
    expect(stub.count('/oauth2/revocations')).toBe(0);
  });
});

describe('DPoP-bound tokens', () => {
  const URL_ = 'https://api.example/orders';

  async function bound() {
    const key = await generateDpopKey();
    const token = await stub.sign(claims({ cnf: { jkt: key.thumbprint } }));
    const proof = (overrides: Partial<Parameters<typeof createDpopProof>[1]> = {}, k = key) =>
      createDpopProof(k, { method: 'GET', url: `${URL_}?page=2`, accessToken: token, now: clock.now(), ...overrides });
    return { key, token, proof };
  }

  it('accepts a matching proof once and refuses its replay', async () => {
    const v = make();
    const { token, proof, key } = await bound();
    const dpop = await proof();
    const request = { authorization: `DPoP ${token}`, dpop, method: 'GET', url: URL_ };
    await expect(v.verifyRequest(request)).resolves.toMatchObject({ binding: { type: 'dpop', jkt: key.thumbprint } });
    expect(await refusal(v.verifyRequest(request))).toBe('ERR_DPOP_PROOF_REPLAYED');
  });

  it('refuses a bound token sent as Bearer or without a proof', async () => {
    const v = make();
    const { token, proof } = await bound();
    expect(await refusal(v.verifyRequest({ authorization: `Bearer ${token}`, dpop: await proof(), method: 'GET', url: URL_ }))).toBe('ERR_DPOP_REQUIRED');
    expect(await refusal(v.verifyRequest({ authorization: `DPoP ${token}`, dpop: undefined, method: 'GET', url: URL_ }))).toBe('ERR_DPOP_REQUIRED');
  });

  it('refuses proofs for another method, URL or token, stale proofs, and proofs by another key', async () => {
    const v = make();
    const { token, proof } = await bound();
    const check = async (dpop: string) => refusal(v.verifyRequest({ authorization: `DPoP ${token}`, dpop, method: 'GET', url: URL_ }));
    expect(await check(await proof({ method: 'POST' }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(await check(await proof({ url: 'https://api.example/other' }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(await check(await proof({ accessToken: 'another-token' }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(await check(await proof({ now: clock.now() - 120_000 }))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(await check(await proof({}, await generateDpopKey()))).toBe('ERR_TOKEN_BINDING_MISMATCH');
  });

  it('refuses an unbound token presented with the DPoP scheme, and unbound tokens when DPoP is required', async () => {
    const v = make({ dpop: { required: true } });
    const token = await stub.sign(claims());
    expect(await refusal(v.verifyRequest({ authorization: `DPoP ${token}`, dpop: undefined, method: 'GET', url: URL_ }))).toBe('ERR_TOKEN_BINDING_MISMATCH');
    expect(await refusal(v.verifyRequest({ authorization: `Bearer ${token}`, dpop: undefined, method: 'GET', url: URL_ }))).toBe('ERR_DPOP_REQUIRED');
  });
});

describe('verifyRequest', () => {
  it('needs an Authorization header of a known scheme', async () => {
    const v = make();
    expect(await refusal(v.verifyRequest({ authorization: undefined, dpop: undefined, method: 'GET', url: 'https://api.example/' }))).toBe('ERR_TOKEN_MISSING');
    expect(await refusal(v.verifyRequest({ authorization: 'Basic abc', dpop: undefined, method: 'GET', url: 'https://api.example/' }))).toBe('ERR_TOKEN_MALFORMED');
  });
});

describe('verified-token cache', () => {
  /** Counts the signature-and-claims checks (jose) the verifier makes. */
  function countChecks(v: TokenVerifier): { readonly count: number } {
    const spy = vi.spyOn(v as unknown as { checkSignatureAndClaims: () => Promise<unknown> }, 'checkSignatureAndClaims');
    return {
      get count() {
        return spy.mock.calls.length;
      },
    };
  }

  it('checks a reused token once and reads it from the cache until exp (+ skew)', async () => {
    const v = make({ clockSkewSeconds: 10 });
    const checks = countChecks(v);
    const token = await stub.sign(claims({ exp: nowSeconds() + 60 }));
    for (let i = 0; i < 3; i += 1) await expect(v.verify(token)).resolves.toMatchObject({ subject: 'agt_1' });
    expect(checks.count).toBe(1);
    clock.advance(69_000);
    await expect(v.verify(token)).resolves.toBeDefined();
    expect(checks.count).toBe(1);
    clock.advance(1_000);
    expect(await refusal(v.verify(token))).toBe('ERR_TOKEN_EXPIRED');
    expect(checks.count).toBe(2);
  });

  it('refuses a cached token at once when the feed revokes it or its agent', async () => {
    const v = make();
    const token = await stub.sign(claims({ jti: 'cached-then-revoked' }));
    const agentToken = await stub.sign(claims({ sub: 'agt_suspended' }));
    await v.verify(token);
    await v.verify(agentToken);
    stub.pushEvent({ kind: 'token', jti: 'cached-then-revoked', exp: nowSeconds() + 600 });
    stub.pushEvent({ kind: 'agent', agent_id: 'agt_suspended', not_before: nowSeconds() });
    await vi.waitFor(async () => expect(await refusal(v.verify(token))).toBe('ERR_TOKEN_REVOKED'), { timeout: 5_000, interval: 20 });
    await vi.waitFor(async () => expect(await refusal(v.verify(agentToken))).toBe('ERR_AGENT_REVOKED'), { timeout: 5_000, interval: 20 });
  });

  it('drops a cached token once its signing key leaves the JWKS', async () => {
    const v = make({ revocation: false, jwks: { maxAgeSeconds: 60 } });
    const checks = countChecks(v);
    const token = await stub.sign(claims());
    await v.verify(token);
    stub.published = [];
    clock.advance(61_000);
    await vi.waitFor(async () => expect(await refusal(v.verify(token))).toBe('ERR_TOKEN_KEY_UNKNOWN'), { timeout: 5_000, interval: 10 });
    expect(checks.count).toBeGreaterThan(1);
  });

  it('holds at most maxEntries tokens, evicting the least recently used', async () => {
    const v = make({ tokenCache: { maxEntries: 2 } });
    const checks = countChecks(v);
    const [a, b, c] = [await stub.sign(claims()), await stub.sign(claims()), await stub.sign(claims())];
    for (const token of [a, b, a, c]) await v.verify(token); // c evicts b, the least recently used
    expect(checks.count).toBe(3);
    for (const token of [a, c]) await v.verify(token);
    expect(checks.count).toBe(3);
    await v.verify(b);
    expect(checks.count).toBe(4);
    expect(() => make({ tokenCache: { maxEntries: 0 } })).toThrow(/maxEntries/);
  });

  it('still needs a fresh DPoP proof on every call for a cached bound token', async () => {
    const v = make();
    const key = await generateDpopKey();
    const token = await stub.sign(claims({ cnf: { jkt: key.thumbprint } }));
    const url = 'https://api.example/orders';
    const proof = () => createDpopProof(key, { method: 'GET', url, accessToken: token, now: clock.now() });
    const first = await proof();
    await expect(v.verifyRequest({ authorization: `DPoP ${token}`, dpop: first, method: 'GET', url })).resolves.toMatchObject({ binding: { type: 'dpop' } });
    expect(await refusal(v.verifyRequest({ authorization: `DPoP ${token}`, dpop: first, method: 'GET', url }))).toBe('ERR_DPOP_PROOF_REPLAYED');
    expect(await refusal(v.verifyRequest({ authorization: `DPoP ${token}`, dpop: undefined, method: 'GET', url }))).toBe('ERR_DPOP_REQUIRED');
    expect(await refusal(v.verifyRequest({ authorization: `Bearer ${token}`, dpop: await proof(), method: 'GET', url }))).toBe('ERR_DPOP_REQUIRED');
    await expect(v.verifyRequest({ authorization: `DPoP ${token}`, dpop: await proof(), method: 'GET', url })).resolves.toBeDefined();
  });

  it('tokenCache: false checks every time', async () => {
    const v = make({ tokenCache: false });
    const checks = countChecks(v);
    const token = await stub.sign(claims());
    for (let i = 0; i < 3; i += 1) await v.verify(token);
    expect(checks.count).toBe(3);
  });
});
