import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';

const SECOND = 1000;

/**
 * Key rotation with a frozen clock. The server runs on a ManualClock; jose's JWKS cache
 * reads Date, which is faked to move with it, so a caching verifier sees time pass as a
 * resource server would.
 */
describe.each(storeKinds())('signing key rotation on %s', (kind) => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  let server: TestServer;
  let agent: RegisteredAgent;

  const advance = (ms: number) => {
    clock.advance(ms);
    vi.setSystemTime(clock.now());
  };
  const issue = async () => {
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    expect(response.status).toBe(200);
    return response.body.access_token as string;
  };
  const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
  const jwksKids = async (url = server.url) => ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: clock.now() });
    server = await startOAuthServer(kind, { clock });
    agent = await registerAgent(server);
  });
  afterAll(async () => {
    await server?.stop();
    vi.useRealTimers();
  });
  afterEach(() => vi.setSystemTime(clock.now()));

  it('publishes the next key before it signs and keeps the old one until its tokens expired', async () => {
    const verifier = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const verify = (token: string) => jwtVerify(token, verifier, { issuer: server.url, audience: server.url, typ: 'at+jwt' });

    const first = await issue();
    const oldKid = kidOf(first);
    await verify(first);
    expect(await jwksKids()).toEqual([oldKid]);

    advance(60 * SECOND);
    const rotated = await server.api('POST', '/v1/keys/rotate', {});
    expect(rotated.status).toBe(200);
    const pending = rotated.body.items.find((k: { state: string }) => k.state === 'pending');
    expect(pending).toBeDefined();
    const newKid: string = pending.kid;
    expect(Date.parse(pending.activates_at)).toBe(clock.now() + 300 * SECOND);
    expect(await jwksKids()).toEqual([oldKid, newKid]);

    // Until activation every token is still signed with the old key.
    advance(299 * SECOND);
    const beforeSwitch = await issue();
    expect(kidOf(beforeSwitch)).toBe(oldKid);
    await verify(beforeSwitch);

    advance(1 * SECOND);
    const afterSwitch = await issue();
    expect(kidOf(afterSwitch)).toBe(newKid);
    // The caching verifier never fails across the switch: old and new tokens both verify.
    await verify(afterSwitch);
    await verify(beforeSwitch);
    const states = (await server.api('GET', '/v1/keys')).body.items.map((k: { kid: string; state: string }) => [k.kid, k.state]);
    expect(states).toEqual([
      [oldKid, 'retired'],
      [newKid, 'active'],
    ]);

    // The old key's last token expires 600 s after the switch; the key stays published past that (+ max TTL and skew).
    advance(598 * SECOND);
    await verify(beforeSwitch);
    expect(await jwksKids()).toContain(oldKid);
    advance((900 + 30 - 598) * SECOND);
    expect(await jwksKids()).toEqual([newKid]);
    await expect(verify(beforeSwitch)).rejects.toThrow(); // long expired by now
    await verify(await issue());
    await server.runtime.oauth.keys.maintain();
    const remaining = await server.runtime.store.db.selectFrom('oauth_signing_keys').select('kid').execute();
    expect(remaining.map((r) => r.kid)).toEqual([newKid]);
  });

  it('rotates on schedule, and at once when asked to (key compromise)', async () => {
    const current = kidOf(await issue());
    advance(30 * 86_400 * SECOND);
    await server.runtime.oauth.keys.maintain();
    const scheduled = server.runtime.oauth.keys.list().find((k) => k.state === 'pending');
    expect(scheduled).toBeDefined();
    expect(kidOf(await issue())).toBe(current);
    const immediate = await server.api('POST', '/v1/keys/rotate', { immediate: true });
    expect(immediate.status).toBe(200);
    expect(kidOf(await issue())).toBe(scheduled!.kid);
  });

  it('stores private keys sealed, never in the clear', async () => {
    const rows = await server.runtime.store.db.selectFrom('oauth_signing_keys').selectAll().execute();
    for (const row of rows) {
      expect(row.private_key.startsWith('v1.')).toBe(true);
      expect(row.private_key).not.toContain('PRIVATE KEY');
      expect(JSON.parse(row.public_jwk).d).toBeUndefined();
    }
  });

  it('lets replicas sharing the database agree on the signing key', async () => {
    const replica = await startTestServer({ kind, clock, location: server.location, masterKey: undefined, config: { issuer: server.url } });
    try {
      expect(await jwksKids(replica.url)).toEqual(await jwksKids());
      const mine = kidOf(await issue());
      const fromReplica = await postForm(replica, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
      expect(kidOf(fromReplica.body.access_token)).toBe(mine);
      const rotated = await server.api('POST', '/v1/keys/rotate', {});
      const next = rotated.body.items.find((k: { state: string }) => k.state === 'pending').kid as string;
      await replica.runtime.oauth.keys.reload(); // what its maintenance timer does every 30 s
      expect(await jwksKids(replica.url)).toContain(next);
      advance(300 * SECOND);
      const after = await postForm(replica, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
      expect(kidOf(after.body.access_token)).toBe(next);
      expect(kidOf(await issue())).toBe(next);
    } finally {
      await replica.stop();
    }
  });

  it('lets only admins see and rotate keys', async () => {
    const auditor = await server.api('POST', '/v1/operators', { email: `keys-${kind}@example.com`, roles: ['auditor'] });
    expect((await server.api('GET', '/v1/keys', undefined, { token: auditor.body.token })).status).toBe(403);
    expect((await server.api('POST', '/v1/keys/rotate', {}, { token: auditor.body.token })).status).toBe(403);
    expect((await server.api('POST', '/v1/keys/rotate', { surprise: 1 })).status).toBe(400);
  });
});

describe('ES256 signing', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOAuthServer('sqlite', { config: { oauth: { signingAlgorithm: 'ES256' } } });
  });
  afterAll(async () => server?.stop());

  it('signs with a P-256 key when configured, verifiable with jose', async () => {
    const agent = await registerAgent(server);
    const response = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    expect(decodeProtectedHeader(response.body.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(response.body.access_token, jwks, { issuer: server.url, audience: server.url, algorithms: ['ES256'] });
    expect(payload.sub).toBe(agent.id);
    const keys = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys.keys[0]!.d).toBeUndefined();
  });
});
