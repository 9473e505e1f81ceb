import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, importJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { JwksCache, JwksFetchError } from './jwks.js';

/** A real HTTP server publishes the JWKS; the test counts its fetches. */
describe('JwksCache', () => {
  let server: Server;
  let url: string;
  let fetches = 0;
  let body = '';
  const key = (kid: string) => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    return { kid, private: { ...jwk, kid, alg: 'EdDSA' }, public: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: 'EdDSA' } };
  };
  const first = key('k1');
  const second = key('k2');
  const sign = async (k: ReturnType<typeof key>) => new SignJWT({ sub: 'john' }).setProtectedHeader({ alg: 'EdDSA', kid: k.kid }).setIssuer('https://idp.test').sign(await importJWK(k.private, 'EdDSA'));

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches once, refetches on an unknown kid at most every minRefreshMs, and when stale', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2));
    const cache = new JwksCache(clock, { maxBytes: 4_096, maxKeys: 5, timeoutMs: 5_000, maxAgeMs: 600_000, minRefreshMs: 30_000 });
    const resolve = cache.resolver('https://idp.test', url);
    body = JSON.stringify({ keys: [first.public] });
    fetches = 0;
    await jwtVerify(await sign(first), resolve);
    await jwtVerify(await sign(first), resolve);
    expect(fetches).toBe(1);
    // The IdP rotates: a token with the new kid makes the cache refetch once the refresh interval allows.
    body = JSON.stringify({ keys: [first.public, second.public] });
    clock.advance(31_000);
    await jwtVerify(await sign(second), resolve);
    expect(fetches).toBe(2);
    // A stream of unknown kids within the interval does not reach the IdP.
    const forged = key('k3');
    await expect(jwtVerify(await sign(forged), resolve)).rejects.toThrow();
    await expect(jwtVerify(await sign(forged), resolve)).rejects.toThrow();
    expect(fetches).toBe(2);
    clock.advance(600_000);
    await jwtVerify(await sign(first), resolve);
    expect(fetches).toBe(3);
  });

  it('refuses a JWKS larger than maxBytes or with more than maxKeys keys', async () => {
    const clock = new ManualClock();
    body = JSON.stringify({ keys: Array.from({ length: 6 }, () => first.public) });
    await expect(jwtVerify(await sign(first), new JwksCache(clock, { maxBytes: 100_000, maxKeys: 5, timeoutMs: 5_000, maxAgeMs: 1, minRefreshMs: 1 }).resolver('a', url))).rejects.toThrow(
      /more than 5 keys/,
    );
    body = JSON.stringify({ keys: [first.public], padding: 'x'.repeat(5_000) });
    await expect(jwtVerify(await sign(first), new JwksCache(clock, { maxBytes: 4_096, maxKeys: 5, timeoutMs: 5_000, maxAgeMs: 1, minRefreshMs: 1 }).resolver('b', url))).rejects.toThrow(
      JwksFetchError,
    );
  });
});
