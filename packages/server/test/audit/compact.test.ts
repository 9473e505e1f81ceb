/**
 * Compact entries (src/audit/compact.ts) on both stores: what is read back is exactly what was
 * written, the hashes are those of the same entries written whole, and verification names an
 * edited blob, a deleted one, an edited delta and a re-pointed reference. Entries written before
 * migration 033 (whole, no base) still verify and read back after it runs.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, AuditReader, type AuditEntry, type AuditEvent } from '../../src/audit/index.js';
import { canonicalJson } from '../../src/audit/canonical.js';
import { hashEntry } from '../../src/audit/hash.js';
import { auditTables } from '../../src/audit/tables.js';
import { MIGRATIONS } from '../../src/migrations.js';
import { ManualClock } from '../../src/shared/clock.js';
import { openStore, type Store } from '../../src/storage/database.js';
import { newStoreLocation, openTestStore, storeKinds } from '../support/stores.js';

const hmacKey = randomBytes(32);
const agent = (id: string) => ({ kind: 'agent' as const, id, chain: [{ sub: id, client_id: id }] });

/** Details in the shape of a decision's: a large part that repeats, a small part that varies. */
const varying = fc.record({
  decision_id: fc.uuid(),
  now_ms: fc.integer({ min: 0, max: 2 ** 45 }),
  context: fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.constant(null), fc.string({ maxLength: 8 }), fc.integer(), fc.array(fc.boolean(), { maxLength: 3 })), { maxKeys: 4 }),
  reasons: fc.array(fc.constantFrom('scope_missing', 'tool_not_allowed', 'outside_hours'), { maxLength: 2 }),
  extra: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
});
const agents = fc.constantFrom('agent-a', 'agent-b', 'agent-c');

function decisionEvent(agentId: string, token: string, v: Record<string, unknown>, secret?: string): AuditEvent {
  return {
    type: 'policy.decision',
    actor: agent(agentId),
    subject: String(v.decision_id),
    agentId,
    action: 'read',
    outcome: (v.reasons as string[]).length === 0 ? 'success' : 'denied',
    details: {
      decision_id: v.decision_id,
      input: {
        agent: { id: agentId, name: `agent ${agentId}`, scopes: ['calendar:read', 'mail:send'], tools: ['google-calendar-api'], owner: 'alice@example.com', classification_rank: 2 },
        token: { jti: token, audience: ['https://mandate.example'], scopes: ['calendar:read'], expiry_ns: 1796214624000000000 },
        delegation: { chain: [{ sub: agentId, client_id: agentId }], chain_id: null, depth: 0 },
        context: { ...(v.context as object), ...(secret === undefined ? {} : { password: secret }) },
      },
      now_ms: v.now_ms,
      reasons: v.reasons,
      ...(v.extra === undefined ? {} : { extra: v.extra }),
    },
    ...(secret === undefined ? {} : { sensitive: ['input.context.password'] }),
    compactKey: `policy.decision:${agentId}:${token}`,
  };
}

/** What an entry's actor and details must read back as: the event's, with sensitive values HMAC'd (the whole write). */
const content = (entry: Pick<AuditEntry, 'actor' | 'details'>) => canonicalJson({ actor: entry.actor, details: entry.details });

describe.each(storeKinds())('compact audit entries on %s', (kind) => {
  let compactStore: Store;
  let wholeStore: Store;
  let compact: AuditLog;
  let whole: AuditLog;
  const clock = new ManualClock(Date.UTC(2026, 11, 2, 12, 0, 0));

  beforeAll(async () => {
    compactStore = await openTestStore(kind);
    wholeStore = await openTestStore(kind);
    compact = new AuditLog({ store: compactStore, clock, hmacKey, compactBaseCacheEntries: 2 });
    whole = new AuditLog({ store: wholeStore, clock, hmacKey });
  });
  afterAll(async () => {
    await compactStore?.close();
    await wholeStore?.close();
  });

  it('reads back exactly what was written, with the hashes of the same entries written whole (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(agents, fc.constantFrom('t1', 't2'), varying, fc.boolean()), { minLength: 1, maxLength: 6 }), async (batch) => {
        const events = batch.map(([id, token, v, secret]) => decisionEvent(id, token, v as never, secret ? 'hunter2' : undefined));
        const written = await compact.append(...events);
        const reference = await whole.append(...events.map(({ compactKey: _, ...event }) => event));
        expect(written.map((e) => e.hash)).toEqual(reference.map((e) => e.hash));
        const read = await new AuditReader(compactStore).page({ afterSeq: written[0]!.seq - 1, order: 'asc' }, events.length);
        expect(read.entries.map(content)).toEqual(reference.map(content));
        expect(read.entries.map((e) => e.hash)).toEqual(reference.map((e) => e.hash));
        // A compact row stores no prev_hash; readers put it back from the entry before.
        expect(read.entries.map((e) => e.prevHash)).toEqual(reference.map((e) => e.prevHash));
      }),
      { numRuns: kind === 'postgres' ? 25 : 60 },
    );
    const rows = await auditTables(compactStore.db).selectFrom('audit_entries').select(['base_id', 'details', 'actor']).execute();
    expect(rows.every((r) => r.base_id !== null && r.actor === '')).toBe(true);
    // Secrets are HMAC'd before compaction: neither rows nor blobs hold them.
    const blobs = await auditTables(compactStore.db).selectFrom('audit_blobs').select(['body']).execute();
    expect([...rows.map((r) => r.details), ...blobs.map((b) => b.body)].some((text) => text.includes('hunter2'))).toBe(false);
    expect((await new AuditReader(compactStore).verify({ pageSize: 7 })).ok).toBe(true);
    // The export (what outside verifiers check) is identical to the whole log's.
    const exported: string[] = [];
    for await (const entry of new AuditReader(compactStore).entries({})) exported.push(content(entry) + entry.hash);
    const reference: string[] = [];
    for await (const entry of new AuditReader(wholeStore).entries({})) reference.push(content(entry) + entry.hash);
    expect(exported).toEqual(reference);
  });

  it('compacts entries that share deep-frozen parts (as decisions share their token\'s) exactly as copies (fast-check)', async () => {
    const deepFreeze = <T>(value: T): T => {
      if (value !== null && typeof value === 'object') {
        for (const member of Object.values(value)) deepFreeze(member);
        Object.freeze(value);
      }
      return value;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('t1', 't2'), varying, fc.boolean()), { minLength: 2, maxLength: 6 }), fc.string({ maxLength: 6 }), async (batch, tag) => {
        const parts = new Map<string, unknown>();
        const events = batch.map(([token, v, edited]) => {
          const event = decisionEvent('agent-f', `${token}${tag}`, v as never);
          const input = (event.details as { input: Record<string, unknown> }).input;
          // One frozen object per token, shared by its entries; an entry may bring a new one with other content.
          const key = edited ? `${token}!` : token;
          if (!parts.has(key)) parts.set(key, deepFreeze({ ...(input.agent as object), name: edited ? 'renamed' : 'agent' }));
          input.agent = parts.get(key);
          return event;
        });
        const written = await compact.append(...events);
        const reference = await whole.append(...events.map(({ compactKey: _, ...event }) => structuredClone(event)));
        expect(written.map((e) => e.hash)).toEqual(reference.map((e) => e.hash));
        const read = await new AuditReader(compactStore).page({ afterSeq: written[0]!.seq - 1, order: 'asc' }, events.length);
        expect(read.entries.map(content)).toEqual(reference.map(content));
      }),
      { numRuns: kind === 'postgres' ? 15 : 40 },
    );
    expect((await new AuditReader(compactStore).verify({ pageSize: 50 })).ok).toBe(true);
  });

  it('a batch that rolled back leaves no blob id behind for the next one against the same base', async () => {
    if (kind !== 'sqlite') return; // the trigger below is SQLite's; the code path is the same on both
    await sql`create trigger refuse_boom before insert on audit_entries when new.subject = 'boom' begin select raise(abort, 'boom'); end`.execute(compactStore.db);
    try {
      const v = { decision_id: 'boom', now_ms: 1, context: {}, reasons: [] };
      await expect(compact.append(decisionEvent('agent-rb', 'trb', v))).rejects.toThrow(/boom/);
      const [entry] = await compact.append(decisionEvent('agent-rb', 'trb', { ...v, decision_id: 'fine' }));
      const row = await auditTables(compactStore.db).selectFrom('audit_entries').select(['base_id']).where('seq', '=', entry!.seq).executeTakeFirstOrThrow();
      const blob = await auditTables(compactStore.db).selectFrom('audit_blobs').select(['id']).where('id', '=', Number(row.base_id)).executeTakeFirst();
      expect(blob).toBeDefined();
      expect((await new AuditReader(compactStore).verify({ pageSize: 50 })).ok).toBe(true);
    } finally {
      await sql`drop trigger refuse_boom`.execute(compactStore.db);
    }
  });

  it('stores a repeated decision in a fraction of its whole size', async () => {
    const v = { decision_id: '01a236af-4a65-78fe-a5e2-1fed2f06dd03', now_ms: 1, context: { ticket: 'T-1' }, reasons: [] };
    const [first] = await compact.append(decisionEvent('agent-z', 'tz', v));
    const [second] = await compact.append(decisionEvent('agent-z', 'tz', { ...v, decision_id: '01a236af-4a65-78fe-a5e2-1fed2f06dd04', now_ms: 2 }));
    const rows = await auditTables(compactStore.db).selectFrom('audit_entries').selectAll().where('seq', 'in', [first!.seq, second!.seq]).orderBy('seq').execute();
    expect(rows[0]!.base_id).toBe(rows[1]!.base_id);
    expect(rows[1]!.details).toBe('{"details":{"decision_id":["01a236af-4a65-78fe-a5e2-1fed2f06dd04"],"now_ms":[2]}}');
    expect(rows[1]!.details.length * 5).toBeLessThan(hashEntry(second!).detailsJson.length);
  });

  describe('verification', () => {
    /** A fresh compact log of a few entries over two bases, and its rows. */
    async function small(): Promise<{ store: Store; seqs: number[] }> {
      const store = await openTestStore(kind);
      const log = new AuditLog({ store, clock, hmacKey });
      await log.append({ type: 'agent.registered', actor: { kind: 'system', id: 'test' }, action: 'register', outcome: 'success', details: { whole: true } });
      const v = (n: number) => ({ decision_id: `d-${n}`, now_ms: n, context: {}, reasons: [] });
      const entries = await log.append(decisionEvent('agent-a', 'ta', v(1)), decisionEvent('agent-a', 'ta', v(2)), decisionEvent('agent-b', 'tb', v(3)), decisionEvent('agent-a', 'ta', v(4)));
      expect((await new AuditReader(store).verify()).ok).toBe(true);
      return { store, seqs: entries.map((e) => e.seq) };
    }
    it('joins a verification under way: concurrent callers share one walk; a later one walks again and sees later entries', async () => {
      const { store } = await small();
      const reader = new AuditReader(store);
      const first = reader.verify();
      const second = reader.verify();
      expect(second).toBe(first);
      expect(await first).toMatchObject({ ok: true, count: 5 });
      await new AuditLog({ store, clock, hmacKey }).append({ type: 'agent.registered', actor: { kind: 'system', id: 'test' }, action: 'register', outcome: 'success', details: {} });
      const later = reader.verify();
      expect(later).not.toBe(first);
      expect(await later).toMatchObject({ ok: true, count: 6 });
    });

    it('reads back prev_hash when the entry before is outside the page (a filtered query, newest first)', async () => {
      const { store, seqs } = await small();
      const all = (await new AuditReader(store).page({ order: 'asc' }, 100)).entries;
      const decisions = (await new AuditReader(store).page({ type: 'policy.decision', order: 'desc' }, 2)).entries;
      expect(decisions.map((e) => e.seq)).toEqual([seqs[3], seqs[2]]);
      for (const entry of [...decisions, ...all]) expect(entry.prevHash).toBe(all.find((e) => e.seq === entry.seq - 1)?.hash ?? '0'.repeat(64));
      await store.close();
    });

    const baseOf = async (store: Store, seq: number) => Number((await auditTables(store.db).selectFrom('audit_entries').select('base_id').where('seq', '=', seq).executeTakeFirstOrThrow()).base_id);

    it('names the entry and the blob when a blob was edited', async () => {
      const { store, seqs } = await small();
      const id = await baseOf(store, seqs[0]!);
      const blob = await auditTables(store.db).selectFrom('audit_blobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await auditTables(store.db).updateTable('audit_blobs').set({ body: blob.body.replace('calendar:read', 'calendar:admin') }).where('id', '=', id).execute();
      const result = await new AuditReader(store).verify();
      expect(result).toMatchObject({ ok: false, reason: 'blob_mismatch', firstBadSeq: seqs[0], blob: blob.hash });
      expect(result.message).toContain(`entry ${seqs[0]}`);
      await store.close();
    });

    it('catches a blob edited together with the hash it is stored under (the entries no longer hash)', async () => {
      const { store, seqs } = await small();
      const id = await baseOf(store, seqs[2]!);
      const blob = await auditTables(store.db).selectFrom('audit_blobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const body = blob.body.replace('alice@example.com', 'mallory@example.com');
      const { blobHash } = await import('../../src/audit/compact.js');
      await auditTables(store.db).updateTable('audit_blobs').set({ body, hash: blobHash(body) }).where('id', '=', id).execute();
      expect(await new AuditReader(store).verify()).toMatchObject({ ok: false, reason: 'hash_mismatch', firstBadSeq: seqs[2] });
      await store.close();
    });

    it('names the entry when its blob is gone', async () => {
      const { store, seqs } = await small();
      const id = await baseOf(store, seqs[2]!);
      await auditTables(store.db).deleteFrom('audit_blobs').where('id', '=', id).execute();
      expect(await new AuditReader(store).verify()).toMatchObject({ ok: false, reason: 'blob_missing', firstBadSeq: seqs[2], blob: String(id) });
      await store.close();
    });

    it('catches an edited delta and a reference pointed at another blob', async () => {
      const { store, seqs } = await small();
      await auditTables(store.db).updateTable('audit_entries').set({ details: '{"details":{"decision_id":["d-9"],"now_ms":[2]}}' }).where('seq', '=', seqs[1]!).execute();
      expect(await new AuditReader(store).verify()).toMatchObject({ ok: false, reason: 'hash_mismatch', firstBadSeq: seqs[1] });
      await store.close();
      const other = await small();
      await auditTables(other.store.db).updateTable('audit_entries').set({ base_id: await baseOf(other.store, other.seqs[2]!) }).where('seq', '=', other.seqs[3]!).execute();
      expect(await new AuditReader(other.store).verify()).toMatchObject({ ok: false, reason: 'hash_mismatch', firstBadSeq: other.seqs[3] });
      await other.store.close();
    });
  });

  it('entries written before migration 033 (whole) still verify and read back after it', async () => {
    const location = await newStoreLocation(kind);
    const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '033'));
    const old = await openStore({ ...location, migrations: before });
    // The old writer's rows: no base_id column yet (the columns as migrations 001–013 made them).
    const { hash, actorJson, detailsJson } = hashEntry({ seq: 1, time: '2026-12-01T00:00:00.000Z', type: 'policy.decision', actor: agent('agent-a'), subject: 'd-0', agentId: 'agent-a', action: 'read', outcome: 'success', details: { decision_id: 'd-0', input: { agent: { id: 'agent-a' } } }, prevHash: '0'.repeat(64) });
    await sql`insert into audit_entries (seq, time, type, actor, actor_id, chain_id, agent_id, subject, action, outcome, details, prev_hash, hash) values (1, '2026-12-01T00:00:00.000Z', 'policy.decision', ${actorJson}, 'agent-a', null, 'agent-a', 'd-0', 'read', 'success', ${detailsJson}, ${'0'.repeat(64)}, ${hash})`.execute(old.db);
    await sql`update audit_head set seq = 1, hash = ${hash} where id = 1`.execute(old.db);
    await old.close();
    const store = await openStore({ ...location, migrations: MIGRATIONS });
    const log = new AuditLog({ store, clock, hmacKey });
    await log.append(decisionEvent('agent-a', 'ta', { decision_id: 'd-1', now_ms: 1, context: {}, reasons: [] }));
    const result = await new AuditReader(store).verify();
    expect(result).toMatchObject({ ok: true, count: 2 });
    const [first, second] = (await new AuditReader(store).page({ order: 'asc' }, 10)).entries;
    expect(first!.details).toEqual({ decision_id: 'd-0', input: { agent: { id: 'agent-a' } } });
    expect(second!.details.decision_id).toBe('d-1');
    await store.close();
  });
});
