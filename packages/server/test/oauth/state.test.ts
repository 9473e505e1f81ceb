import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/log.js';
import { SeenJtis } from '../../src/oauth/replay.js';
import { Revocations } from '../../src/oauth/revocation.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { Store } from '../../src/storage/database.js';
import { openTestStore, storeKinds } from '../support/stores.js';

/** The OAuth state that lives in the database, on both backends: revocation marks, the feed, single-use jtis. */
describe.each(storeKinds())('OAuth revocation state on %s', (kind) => {
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  const system = { kind: 'system' as const, id: 'test' };
  let store: Store;
  let revocations: Revocations;
  let seen: SeenJtis;
  const now = () => Math.floor(clock.now() / 1000);

  beforeAll(async () => {
    store = await openTestStore(kind);
    const audit = new AuditLog({ store, clock, hmacKey: Buffer.alloc(32, 7) });
    revocations = new Revocations({ store, audit, clock, retainAgentMarksSeconds: 930, pollIntervalMs: 20 });
    seen = new SeenJtis(store.db, clock);
  });
  afterAll(async () => store?.close());

  it('revokes by jti and by agent mark, including agents further up an act chain', async () => {
    const t = now();
    await revocations.revokeToken({ jti: 'j1', exp: t + 600, agentId: 'a1' }, system, 'test');
    expect(await revocations.check({ jti: 'j1', iat: t, sub: 'a1' })).toBe('token');
    expect(await revocations.check({ jti: 'j2', iat: t, sub: 'a1' })).toBeNull();
    await revocations.revokeAgent('parent', 'parent', t, system, 'suspended');
    expect(await revocations.check({ jti: 'j3', iat: t, sub: 'user-1', act: { sub: 'child', act: { sub: 'parent' } } })).toBe('agent');
    expect(await revocations.check({ jti: 'j4', iat: t + 1, sub: 'user-1', act: { sub: 'parent' } })).toBeNull();
    expect(await revocations.check({ jti: 'j5', iat: t, sub: 'x', client_id: 'parent' })).toBe('agent');
    // Marks only move forward.
    await revocations.revokeAgent('parent', 'parent', t - 100, system, 'older');
    expect(await revocations.check({ jti: 'j6', iat: t, sub: 'parent' })).toBe('agent');
  });

  it('pages the feed in order and wakes a waiting long-poll', async () => {
    const all = await revocations.page(0, 100);
    expect(all.events.map((e) => e.kind)).toEqual(['token', 'agent']);
    const first = await revocations.page(0, 1);
    expect(first).toMatchObject({ has_more: true, cursor: '1' });
    const waiting = revocations.wait(Number(all.cursor), 100, 10_000);
    await revocations.revokeToken({ jti: 'j9', exp: now() + 60, agentId: null }, system, 'test');
    const page = await waiting;
    expect(page.events).toEqual([{ kind: 'token', jti: 'j9', exp: now() + 60 }]);
    const controller = new AbortController();
    const aborted = revocations.wait(Number(page.cursor), 100, 10_000, controller.signal);
    controller.abort();
    expect((await aborted).events).toEqual([]);
  });

  it("wakes a long-poll on one replica for an event recorded by another", async () => {
    const other = new Revocations({ store, audit: new AuditLog({ store, clock, hmacKey: Buffer.alloc(32, 7) }), clock, retainAgentMarksSeconds: 930, pollIntervalMs: 20 });
    const { cursor } = await revocations.page(0, 100);
    const waiting = revocations.wait(Number(cursor), 100, 10_000);
    await other.revokeAgent('elsewhere', null, now(), system, 'replica');
    expect((await waiting).events).toEqual([{ kind: 'agent', agent_id: 'elsewhere', client_id: null, not_before: now() }]);
    other.stop();
  });

  it('remembers single-use jtis until they expire, then forgets them', async () => {
    expect(await seen.use('assertion:c:1', clock.now() + 60_000)).toBe(true);
    expect(await seen.use('assertion:c:1', clock.now() + 60_000)).toBe(false);
    clock.advance(61_000);
    expect(await seen.prune()).toBeGreaterThanOrEqual(1);
    expect(await seen.use('assertion:c:1', clock.now() + 60_000)).toBe(true);
  });

  it('prunes revocations and feed events once they no longer matter', async () => {
    clock.advance(2_000 * 1000);
    await revocations.prune();
    expect((await revocations.page(0, 100)).events).toEqual([]);
    expect(await revocations.check({ jti: 'j1', iat: 0, sub: 'a1' })).toBeNull();
    // The cursor keeps counting after pruning, and a page with nothing left moves up to the head.
    expect(await revocations.head()).toBe(4);
    expect((await revocations.page(0, 100)).cursor).toBe('4');
  });
});
