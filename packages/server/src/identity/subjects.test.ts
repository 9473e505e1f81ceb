import { describe, expect, it } from 'vitest';
import type { Agent } from '../registry/types.js';
import { ManualClock } from '../shared/clock.js';
import type { AccessTokenClaims } from './claims.js';
import type { AgentTokenSource } from './resolvers.js';
import { TokenSubjects } from './subjects.js';

/** An issuer kept in memory: which tokens are genuine, which are revoked, the feed head. */
class Issuer implements AgentTokenSource {
  readonly genuine = new Map<string, AccessTokenClaims>();
  readonly revoked = new Set<string>();
  readonly publishedKeys = new Set(['k1']);
  head = 0;
  verifications = 0;
  revocationChecks = 0;

  constructor(readonly agent: Agent) {}

  async verify(token: string, audience: string | null) {
    this.verifications += 1;
    const claims = this.genuine.get(token);
    if (!claims || this.revoked.has(claims.jti) || (audience !== null && claims.aud !== audience)) return null;
    return { claims, agent: this.agent };
  }
  async isRevoked(claims: AccessTokenClaims) {
    this.revocationChecks += 1;
    return this.revoked.has(claims.jti);
  }
  async revocationHead() {
    return this.head;
  }
  mayHoldTokens(status: Agent['status']) {
    return status === 'active';
  }
  keyInUse(kid: string) {
    return this.publishedKeys.has(kid);
  }
}

const agent = { id: 'agt_1', clientId: 'agt_1', status: 'active' } as Agent;

/** A token-shaped string whose header names `kid` (the fake issuer decides whether it is genuine). */
const tokenOf = (name: string, kid = 'k1') => `${Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid })).toString('base64url')}.${name}.sig`;
const t1 = tokenOf('t1');

function setup(maxEntries?: number) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const issuer = new Issuer(agent);
  const subjects = new TokenSubjects({ tokens: issuer, agentByClientId: async () => agent, clock, skewSeconds: 30, ...(maxEntries ? { maxEntries } : {}) });
  const now = Math.floor(clock.now() / 1000);
  const claims = { iss: 'https://mandate', sub: agent.id, aud: 'https://mandate', iat: now, exp: now + 600, jti: 'j1', client_id: agent.clientId, scope: '' };
  issuer.genuine.set(t1, claims);
  return { issuer, subjects, claims, clock };
}

describe('TokenSubjects', () => {
  it('verifies a token once and then reads it from the cache while the revocation head stands', async () => {
    const { issuer, subjects } = setup();
    for (let i = 0; i < 3; i += 1) expect((await subjects.resolve(t1, 'https://mandate'))?.agent.id).toBe(agent.id);
    expect(issuer.verifications).toBe(1);
    expect(issuer.revocationChecks).toBe(0);
  });

  it('checks revocation again when the head moved, and forgets a revoked token', async () => {
    const { issuer, subjects } = setup();
    await subjects.resolve(t1, 'https://mandate');
    issuer.head = 1;
    expect(await subjects.resolve(t1, 'https://mandate')).not.toBeNull();
    expect(issuer.revocationChecks).toBe(1);
    issuer.revoked.add('j1');
    issuer.head = 2;
    expect(await subjects.resolve(t1, 'https://mandate')).toBeNull();
    expect(await subjects.resolve(t1, 'https://mandate')).toBeNull();
    expect(issuer.verifications).toBe(2);
  });

  it('checks the audience on every use and never caches a token that failed', async () => {
    const { issuer, subjects } = setup();
    expect(await subjects.resolve(t1, 'https://elsewhere')).toBeNull();
    expect(await subjects.resolve('forged', null)).toBeNull();
    expect(await subjects.resolve('forged', null)).toBeNull();
    expect(issuer.verifications).toBe(3);
    expect(await subjects.resolve(t1, 'https://mandate')).not.toBeNull();
    expect(await subjects.resolve(t1, 'https://elsewhere')).toBeNull();
    expect(issuer.verifications).toBe(4);
  });

  it('drops a token whose signing key is no longer published, and verifies it again', async () => {
    const { issuer, subjects } = setup();
    expect(await subjects.resolve(t1, null)).not.toBeNull();
    issuer.publishedKeys.delete('k1');
    issuer.genuine.delete(t1); // what the real verifier says once the key is gone
    expect(await subjects.resolve(t1, null)).toBeNull();
    expect(issuer.verifications).toBe(2);
    expect(subjects.size).toBe(0);
  });

  it('holds at most maxEntries tokens and evicts the least recently used', async () => {
    const { issuer, subjects, claims } = setup(2);
    const [a, b, c] = ['a', 'b', 'c'].map((name) => tokenOf(name));
    for (const token of [a!, b!, c!]) issuer.genuine.set(token, { ...claims, jti: token });
    await subjects.resolve(a!, null);
    await subjects.resolve(b!, null);
    await subjects.resolve(a!, null); // a is now the most recently used
    await subjects.resolve(c!, null); // full: b goes
    expect(subjects.size).toBe(2);
    expect(issuer.verifications).toBe(3);
    await subjects.resolve(a!, null);
    await subjects.resolve(c!, null);
    expect(issuer.verifications).toBe(3);
    await subjects.resolve(b!, null);
    expect(issuer.verifications).toBe(4);
    expect(subjects.size).toBe(2);
  });

  it('drops a token at its expiry (plus the clock skew)', async () => {
    const { subjects, claims, clock } = setup();
    expect(await subjects.resolve(t1, null)).not.toBeNull();
    clock.set((claims.exp + 30) * 1000);
    expect(await subjects.resolve(t1, null)).toBeNull();
  });

  it('gives calls that verified one token at once the same claims object (the decision input is keyed by it)', async () => {
    const { subjects } = setup();
    const burst = await Promise.all([1, 2, 3, 4].map(() => subjects.resolve(t1, null)));
    expect(new Set(burst.map((subject) => subject?.claims)).size).toBe(1);
    expect((await subjects.resolve(t1, null))?.claims).toBe(burst[0]?.claims);
  });

  it('reads a stale agent record once for the calls that find it stale together', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const issuer = new Issuer(agent);
    let reads = 0;
    let monotonic = 0;
    const subjects = new TokenSubjects({ tokens: issuer, agentByClientId: async () => ((reads += 1), { ...agent }), clock, skewSeconds: 30, monotonic: () => monotonic });
    const now = Math.floor(clock.now() / 1000);
    issuer.genuine.set(t1, { iss: 'https://mandate', sub: agent.id, aud: 'https://mandate', iat: now, exp: now + 600, jti: 'j1', client_id: agent.clientId, scope: '' });
    await subjects.resolve(t1, null); // verified: the record comes with the verification
    monotonic += 5_000;
    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => subjects.resolve(t1, null)));
    expect(burst.every((subject) => subject !== null)).toBe(true);
    expect(reads).toBe(1);
  });

  it('does not let a read begun before a status change answer later calls or fill the cache', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const issuer = new Issuer(agent);
    let status: Agent['status'] = 'active';
    const pending: Array<() => void> = [];
    let monotonic = 0;
    const agentByClientId = (): Promise<Agent> => {
      const seen = { ...agent, status };
      return new Promise((resolve) => pending.push(() => resolve(seen)));
    };
    const subjects = new TokenSubjects({ tokens: issuer, agentByClientId, clock, skewSeconds: 30, monotonic: () => monotonic });
    const now = Math.floor(clock.now() / 1000);
    issuer.genuine.set(t1, { iss: 'https://mandate', sub: agent.id, aud: 'https://mandate', iat: now, exp: now + 600, jti: 'j1', client_id: agent.clientId, scope: '' });
    await subjects.resolve(t1, null);
    monotonic += 5_000;
    const before = subjects.resolve(t1, null); // reads the record: still active
    while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    status = 'suspended';
    subjects.forgetAgent(agent.clientId); // the status change, seen on this replica
    const after = subjects.resolve(t1, null);
    while (pending.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(pending).toHaveLength(2); // the later call did not join the earlier read
    // The later read answers first; the earlier one (active) ends last and must not refill the cache.
    const [earlier, later] = pending.splice(0);
    later!();
    expect(await after).toBeNull(); // its own read, begun after the change
    earlier!();
    expect(await before).not.toBeNull();
    expect(await subjects.resolve(t1, null)).toBeNull(); // nothing stale was cached
  });
});
