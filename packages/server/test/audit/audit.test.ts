import { createHash, createPublicKey, verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash } from '../../src/audit/hash.js';
import { rowToEntry } from '../../src/audit/store.js';
import { verifyLog } from '../../src/audit/verify.js';
import type { AuditEvent } from '../../src/audit/types.js';
import { auditTables } from '../../src/audit/tables.js';
import { ManualClock } from '../../src/shared/clock.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const EVERY = 5;
/** Ten days: the clock jumps by one day inside the suite, which must not trigger the time rule. */
const INTERVAL = 10 * 24 * 3600;
const operatorActor = { kind: 'operator' as const, id: 'op-alice', roles: ['admin'] };
const agentActor = (id: string) => ({ kind: 'agent' as const, id, onBehalfOf: 'user:bob', chain: [{ sub: 'user:bob' }, { sub: id, client_id: id }] });

/** Recomputes an exported line's hash from the documented format alone (docs/audit.md). */
function independentHash(line: Record<string, unknown>): string {
  const { hash: _hash, ...fields } = line;
  return createHash('sha256').update(String(fields.prev_hash)).update('\n').update(canonicalize(fields)!).digest('hex');
}

describe.each(storeKinds())('audit log on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 12, 0, 0));
  const t0 = clock.now();
  /** Entries written at start-up (bootstrap admin, OAuth signing key, …): the test's events follow. */
  let base = 0;
  let total = 0;

  beforeAll(async () => {
    server = await startTestServer({ kind, clock, config: { audit: { checkpointEveryEntries: EVERY, checkpointIntervalSeconds: INTERVAL } } });
    // Contexts write a varying number of entries at first start (bootstrap admin, keys, the
    // workload CA): pad to one past a count boundary, so the count rule falls where the suite expects.
    while ((await server.runtime.audit.head()).seq % EVERY !== 1) {
      await server.runtime.audit.append({ type: 'test.padding', actor: { kind: 'system', id: 'test' }, action: 'pad', outcome: 'success' });
    }
    base = (await server.runtime.audit.head()).seq;
    total = base + 24;
    // 24 events over two "days" of manual time.
    const events: AuditEvent[] = [];
    for (let i = 0; i < 24; i += 1) {
      const agent = `agent-${i % 3}`;
      const type = ['token.issued', 'token.revoked', 'decision', 'agent.updated'][i % 4]!;
      events.push({
        type,
        actor: i % 2 === 0 ? agentActor(agent) : operatorActor,
        subject: agent,
        agentId: agent,
        action: type.split('.').pop()!,
        outcome: i % 5 === 0 ? 'denied' : 'success',
        details: { i },
      });
    }
    for (const [i, event] of events.entries()) {
      if (i === 12) clock.advance(24 * 3600 * 1000);
      await server.runtime.audit.append(event);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  const all = async (query: string): Promise<any[]> => {
    const items: any[] = [];
    let cursor: number | null = null;
    do {
      const sep: string = query ? '&' : '';
      const res: { status: number; body: any } = await server.api('GET', `/v1/audit?${query}${sep}limit=4${cursor !== null ? `&after_seq=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.next_after_seq;
    } while (cursor !== null);
    return items;
  };

  it('pages newest-first by default and oldest-first on request, without gaps or repeats', async () => {
    const desc = await all('');
    expect(desc.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => total - i));
    const asc = await all('order=asc');
    expect(asc.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(asc.find((e) => e.type === 'operator.created')).toMatchObject({ subject: 'admin', actor: { kind: 'system', id: 'bootstrap' } });
    expect(asc[base + 1]).toMatchObject({ seq: base + 2, actor: { kind: 'operator', id: 'op-alice', roles: ['admin'] }, details: { i: 1 } });
    expect(asc[base].actor.chain).toEqual([{ sub: 'user:bob' }, { sub: 'agent-0', client_id: 'agent-0' }]);
  });

  it('filters by type (exact and prefix), agent, actor, subject, outcome and time range', async () => {
    const expectSeqs = async (query: string, predicate: (i: number) => boolean) => {
      const expected = Array.from({ length: 24 }, (_, i) => i).filter(predicate).map((i) => base + 1 + i);
      expect((await all(`order=asc&${query}`)).map((e) => e.seq), query).toEqual(expected);
    };
    await expectSeqs('type=decision', (i) => i % 4 === 2);
    await expectSeqs('type=token.*', (i) => i % 4 < 2);
    await expectSeqs('agent=agent-1', (i) => i % 3 === 1);
    await expectSeqs('subject=agent-2', (i) => i % 3 === 2);
    await expectSeqs('actor=op-alice', (i) => i % 2 === 1);
    await expectSeqs('outcome=denied', (i) => i % 5 === 0);
    await expectSeqs('agent=agent-0&type=token.*&outcome=success', (i) => i % 3 === 0 && i % 4 < 2 && i % 5 !== 0);
    const day2 = new Date(t0 + 24 * 3600 * 1000).toISOString();
    await expectSeqs(`from=${encodeURIComponent(day2)}`, (i) => i >= 12);
    // The start-up entries are at t0 too, so the range [t0, day2) holds them and the first 12 events.
    const firstDay = await all(`order=asc&from=${encodeURIComponent(new Date(t0).toISOString())}&to=${encodeURIComponent(day2)}`);
    expect(firstDay.map((e) => e.seq)).toEqual(Array.from({ length: base + 12 }, (_, i) => i + 1));
    expect((await server.api('GET', '/v1/audit?from=yesterday')).status).toBe(400);
    expect((await server.api('GET', '/v1/audit?type=to*ken')).status).toBe(400);
    expect((await server.api('GET', '/v1/audit?colour=blue')).body.message).toMatch(/colour is not a known field/);
  });

  it('exports JSON lines that parse, match the query and rehash independently', async () => {
    const response = await fetch(`${server.url}/v1/audit/export?type=token.*`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual(await all('order=asc&type=token.*'));
    for (const line of lines) expect(independentHash(line)).toBe(line.hash);
    const full = (await (await fetch(`${server.url}/v1/audit/export`, { headers: { authorization: `Bearer ${server.adminToken}` } })).text()).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(full).toHaveLength(total);
    for (let i = 1; i < full.length; i += 1) expect(full[i].prev_hash).toBe(full[i - 1].hash);
  });

  it('verifies a clean log', async () => {
    const { status, body } = await server.api('GET', '/v1/audit/verify');
    expect(status).toBe(200);
    const points = (await server.api('GET', '/v1/audit/checkpoints?limit=1000')).body.items;
    expect(body).toEqual({ ok: true, count: total, checkpoints: points.length, head: { seq: total, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }, archived: { seq: 0, hash: '0'.repeat(64) } });
    expect(body.first_bad_seq).toBeUndefined();
  });

  it('signs a checkpoint every N entries, verifiable with the published key alone', async () => {
    const keys = await server.api('GET', '/v1/audit/keys', undefined, { token: null });
    expect(keys.status).toBe(200);
    expect(keys.body.keys).toHaveLength(1);
    const jwk = keys.body.keys[0];
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(JSON.stringify(keys.body)).not.toMatch(/"d"/);
    // kid is the RFC 7638 thumbprint.
    expect(jwk.kid).toBe(createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url'));
    const checkpoints = (await server.api('GET', '/v1/audit/checkpoints?limit=1000')).body.items;
    const seqs: number[] = checkpoints.map((c: any) => c.seq);
    // At least N apart; exactly N apart once appends are one entry per transaction (after start-up).
    expect(seqs.length).toBeGreaterThanOrEqual(Math.floor(total / EVERY) - 1);
    for (let i = 1; i < seqs.length; i += 1) {
      expect(seqs[i]! - seqs[i - 1]!).toBeGreaterThanOrEqual(EVERY);
      if (seqs[i - 1]! > base) expect(seqs[i]! - seqs[i - 1]!).toBe(EVERY);
    }
    expect(total - seqs[seqs.length - 1]!).toBeLessThan(EVERY);
    const entries = new Map((await all('order=asc')).map((e) => [e.seq, e]));
    const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    for (const point of checkpoints) {
      expect(point.key_id).toBe(jwk.kid);
      expect(point.hash).toBe(entries.get(point.seq).hash);
      const message = canonicalize({ purpose: 'mandate.audit.checkpoint.v1', seq: point.seq, hash: point.hash, time: point.time })!;
      expect(verify(null, Buffer.from(message), publicKey, Buffer.from(point.signature, 'base64url'))).toBe(true);
      expect(verify(null, Buffer.from(message.replace(/"seq":\d+/, '"seq":999')), publicKey, Buffer.from(point.signature, 'base64url'))).toBe(false);
    }
  });

  it('signs the head on the time rule when entries stay unsigned for the interval', async () => {
    const before = await server.runtime.audit.head();
    await server.runtime.audit.append({ type: 'test.quiet', actor: { kind: 'system', id: 'test' }, action: 'quiet', outcome: 'success' });
    expect(await server.runtime.audit.checkpointIfDueNow()).toBeNull();
    clock.advance(INTERVAL * 1000);
    const point = await server.runtime.audit.checkpointIfDueNow();
    expect(point).toMatchObject({ seq: before.seq + 1 });
    expect(await server.runtime.audit.checkpointIfDueNow()).toBeNull();
    const points = (await server.api('GET', '/v1/audit/checkpoints?limit=1000')).body.items;
    expect(points[points.length - 1].seq).toBe(before.seq + 1);
    expect((await server.api('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true, count: before.seq + 1, checkpoints: points.length });
  });

  it('batches enqueued events into group commits that chain and verify', async () => {
    const start = (await server.runtime.audit.head()).seq;
    const pointsBefore = (await server.api('GET', '/v1/audit/checkpoints?limit=1000')).body.items.length;
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => server.runtime.audit.enqueue({ type: 'decision', actor: agentActor('agent-9'), agentId: 'agent-9', action: 'authorize', outcome: 'success', details: { n: i } })),
    );
    expect(results.map((e) => e.seq)).toEqual(Array.from({ length: 120 }, (_, i) => start + i + 1));
    expect(results.map((e) => e.details.n)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    const verified = (await server.api('GET', '/v1/audit/verify')).body;
    expect(verified).toMatchObject({ ok: true, count: start + 120 });
    // A batch that crosses the threshold gets one checkpoint over its last entry (the head).
    expect(verified.checkpoints).toBeGreaterThan(pointsBefore);
    const last = (await server.api('GET', `/v1/audit/checkpoints?after_seq=${start}`)).body.items;
    expect(last.length).toBeGreaterThan(0);
    expect(last.every((c: { seq: number }) => results.some((e) => e.seq === c.seq))).toBe(true);
  });

  it('never stores secrets: sensitive values are HMACed, also for operator tokens', async () => {
    const created = await server.api('POST', '/v1/operators', { email: `aud-${kind}@example.com`, roles: ['auditor'] });
    expect(created.status).toBe(201);
    for (const secret of ['s3cr3t-value-1', 's3cr3t-value-1']) {
      await server.runtime.audit.append({
        type: 'secret.read',
        actor: agentActor('agent-1'),
        agentId: 'agent-1',
        action: 'read',
        outcome: 'success',
        details: { path: 'db/password', value: secret, nested: { token: 'tok-abc-123' } },
        sensitive: ['details.value', 'details.nested.token'],
      });
    }
    const exported = await (await fetch(`${server.url}/v1/audit/export`, { headers: { authorization: `Bearer ${server.adminToken}` } })).text();
    expect(exported).not.toContain('s3cr3t-value-1');
    expect(exported).not.toContain('tok-abc-123');
    expect(exported).not.toContain(created.body.token.split('.')[1]);
    expect(exported).not.toContain(server.adminToken.split('.')[1]);
    const reads = (await all('order=asc&type=secret.read')).map((e) => e.details);
    expect(reads).toHaveLength(2);
    expect(reads[0].value).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(reads[0].value).toBe(reads[1].value); // equal values stay comparable
    expect(reads[0].nested.token).toMatch(/^hmac-sha256:/);
    expect(reads[0].path).toBe('db/password');
  });

  it('lets admins and auditors read, nobody else; keys are public', async () => {
    const auditor = await server.api('POST', '/v1/operators', { email: `aud2-${kind}@example.com`, roles: ['auditor'] });
    const approver = await server.api('POST', '/v1/operators', { email: `appr-${kind}@example.com`, roles: ['approver'] });
    for (const path of ['/v1/audit', '/v1/audit/verify', '/v1/audit/export', '/v1/audit/checkpoints', '/v1/audit/head']) {
      expect((await server.api('GET', path, undefined, { token: auditor.body.token })).status, path).toBe(200);
      expect((await server.api('GET', path, undefined, { token: approver.body.token })).status, path).toBe(403);
      expect((await server.api('GET', path, undefined, { token: null })).status, path).toBe(401);
    }
    expect((await server.api('GET', '/v1/audit/keys', undefined, { token: null })).status).toBe(200);
    const openapi = (await server.api('GET', '/openapi.json', undefined, { token: null })).body;
    for (const path of ['/v1/audit', '/v1/audit/export', '/v1/audit/verify', '/v1/audit/checkpoints', '/v1/audit/keys', '/v1/audit/head']) expect(Object.keys(openapi.paths)).toContain(path);
  });

  it('signs the head on request with the audit key, under its own purpose', async () => {
    const auditor = await server.api('POST', '/v1/operators', { email: `aud3-${kind}@example.com`, roles: ['auditor'] });
    // An entry enqueued by an earlier step may commit during the request: the signed head is the
    // log's head at some moment of it, so it lies between the heads read before and after, and
    // it names an entry the log holds, with that entry's hash.
    const before = await server.runtime.audit.head();
    const { status, body } = await server.api('GET', '/v1/audit/head', undefined, { token: auditor.body.token });
    expect(status).toBe(200);
    const after = await server.runtime.audit.head();
    expect(body.seq).toBeGreaterThanOrEqual(before.seq);
    expect(body.seq).toBeLessThanOrEqual(after.seq);
    const entry = await server.runtime.auditReader.entry(body.seq);
    expect(body).toEqual({ purpose: 'mandate.audit.head.v1', seq: entry!.seq, hash: entry!.hash, time: new Date(clock.now()).toISOString(), key_id: expect.any(String), signature: expect.any(String) });
    const jwk = (await server.api('GET', '/v1/audit/keys', undefined, { token: null })).body.keys.find((k: { kid: string }) => k.kid === body.key_id);
    const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    const signed = (purpose: string) => Buffer.from(canonicalize({ purpose, seq: body.seq, hash: body.hash, time: body.time })!);
    expect(verify(null, signed('mandate.audit.head.v1'), publicKey, Buffer.from(body.signature, 'base64url'))).toBe(true);
    // A signed head is not a checkpoint: the purpose binds the signature.
    expect(verify(null, signed('mandate.audit.checkpoint.v1'), publicKey, Buffer.from(body.signature, 'base64url'))).toBe(false);
  });

  it('refuses to sign a head that the log does not hold (409)', async () => {
    // Entries still queued from earlier steps (group commit) would move the head under the test.
    await server.runtime.audit.flush();
    const head = await server.runtime.audit.head();
    const db = auditTables(server.runtime.store.db);
    await db.updateTable('audit_head').set({ hash: 'f'.repeat(64) }).where('id', '=', 1).execute();
    try {
      const res = await server.api('GET', '/v1/audit/head');
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(new RegExp(`does not match entry ${head.seq}`));
    } finally {
      await db.updateTable('audit_head').set({ hash: head.hash }).where('id', '=', 1).execute();
    }
  });
});

/** Where the checkpoints fell (start-up may write several entries per transaction). */
interface Layout {
  /** Checkpoint seqs, oldest first; the last one is the head. */
  cps: number[];
  last: number;
}

describe.each(storeKinds())('audit tamper detection on %s', (kind) => {
  let server: TestServer;
  const layout: Layout = { cps: [], last: 0 };
  beforeAll(async () => {
    server = await startTestServer({ kind, config: { audit: { checkpointEveryEntries: EVERY, checkpointIntervalSeconds: 3600 } } });
    // Append until there are four checkpoints past start-up and the last one is at the head.
    const startup = (await server.runtime.audit.head()).seq;
    for (let i = 0; ; i += 1) {
      await server.runtime.audit.append({ type: 'tamper.seed', actor: { kind: 'system', id: 'test' }, subject: `s-${i}`, action: 'seed', outcome: 'success', details: { i } });
      const cps = (await db().selectFrom('audit_checkpoints').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq)).filter((seq) => seq > startup);
      const head = (await server.runtime.audit.head()).seq;
      if (cps.length >= 4 && cps[cps.length - 1] === head) {
        layout.cps = cps.slice(-4);
        layout.last = head;
        break;
      }
    }
    expect(layout.cps.map((c) => c - layout.cps[0]!)).toEqual([0, EVERY, 2 * EVERY, 3 * EVERY]);
    expect(await verifyBody()).toMatchObject({ ok: true, count: layout.last });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const db = () => auditTables(server.runtime.store.db);
  const verifyBody = async () => (await server.api('GET', '/v1/audit/verify')).body;
  const snapshot = async () => ({
    entries: await db().selectFrom('audit_entries').selectAll().orderBy('seq').execute(),
    checkpoints: await db().selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute(),
    head: await db().selectFrom('audit_head').selectAll().executeTakeFirstOrThrow(),
  });
  /** Puts the log back exactly as it was, so each tamper starts from a clean, verified log. */
  const restore = async (saved: Awaited<ReturnType<typeof snapshot>>) => {
    await server.runtime.store.transaction(async (trx) => {
      await trx.deleteFrom('audit_entries').execute();
      for (let i = 0; i < saved.entries.length; i += 200) await trx.insertInto('audit_entries').values(saved.entries.slice(i, i + 200)).execute();
      await trx.deleteFrom('audit_checkpoints').execute();
      await trx.insertInto('audit_checkpoints').values(saved.checkpoints).execute();
      await trx.updateTable('audit_head').set(saved.head).where('id', '=', 1).execute();
    });
    expect(await verifyBody()).toMatchObject({ ok: true, count: layout.last });
  };

  // Positions relative to the checkpoints: c0 < x < c1 < c2 < c3 = last.
  const x = (L: Layout) => L.cps[0]! + 2;
  /** Every column a query filters on (issue 10 item 8): each edit is reported, naming the entry. */
  const filtered: Array<{ column: 'actor_id' | 'agent_id' | 'type' | 'subject' | 'outcome' | 'time'; value: string; reason: string }> = [
    { column: 'actor_id', value: 'nobody', reason: 'column_mismatch' },
    { column: 'agent_id', value: 'agent-x', reason: 'hash_mismatch' },
    { column: 'type', value: 'tamper.other', reason: 'hash_mismatch' },
    { column: 'subject', value: 'someone-else', reason: 'hash_mismatch' },
    { column: 'outcome', value: 'denied', reason: 'hash_mismatch' },
    { column: 'time', value: '2020-01-01T00:00:00.000Z', reason: 'hash_mismatch' },
  ];
  const cases: Array<{ name: string; tamper: (L: Layout) => Promise<void>; seq: (L: Layout) => number; reason: string; column?: string }> = [
    ...filtered.map(({ column, value, reason }) => ({
      name: `set the filtered column ${column} with SQL`,
      tamper: async (L: Layout) => void (await db().updateTable('audit_entries').set({ [column]: value }).where('seq', '=', x(L)).execute()),
      seq: x,
      reason,
      ...(reason === 'column_mismatch' ? { column } : {}),
    })),
    {
      name: 'set actor to text that is not JSON',
      tamper: async (L) => void (await db().updateTable('audit_entries').set({ actor: '{not json' }).where('seq', '=', x(L)).execute()),
      seq: x,
      reason: 'hash_mismatch',
    },
    {
      name: "edit a row's details",
      tamper: async (L) => void (await db().updateTable('audit_entries').set({ details: JSON.stringify({ i: 999 }) }).where('seq', '=', x(L)).execute()),
      seq: x,
      reason: 'hash_mismatch',
    },
    {
      name: 'delete a row',
      tamper: async (L) => void (await db().deleteFrom('audit_entries').where('seq', '=', x(L)).execute()),
      seq: x,
      reason: 'sequence_gap',
    },
    {
      name: 'reorder two rows (swap seq)',
      tamper: async (L) => {
        await db().updateTable('audit_entries').set({ seq: 1_000_000 }).where('seq', '=', x(L)).execute();
        await db().updateTable('audit_entries').set({ seq: x(L) }).where('seq', '=', x(L) + 1).execute();
        await db().updateTable('audit_entries').set({ seq: x(L) + 1 }).where('seq', '=', 1_000_000).execute();
      },
      seq: x,
      reason: 'prev_hash_mismatch',
    },
    {
      name: 'truncate the tail',
      tamper: async (L) => void (await db().deleteFrom('audit_entries').where('seq', '>', L.last - 3).execute()),
      seq: (L) => L.last - 2,
      reason: 'head_mismatch',
    },
    {
      name: 'truncate the tail and rewind the head',
      tamper: async (L) => {
        await db().deleteFrom('audit_entries').where('seq', '>', L.last - 3).execute();
        const kept = await db().selectFrom('audit_entries').select('hash').where('seq', '=', L.last - 3).executeTakeFirstOrThrow();
        await db().updateTable('audit_head').set({ seq: L.last - 3, hash: kept.hash }).where('id', '=', 1).execute();
      },
      seq: (L) => L.last - 2,
      reason: 'checkpoint_beyond_head',
    },
    {
      name: 'forge a checkpoint (altered time)',
      tamper: async (L) => void (await db().updateTable('audit_checkpoints').set({ time: '2020-01-01T00:00:00.000Z' }).where('seq', '=', L.cps[1]!).execute()),
      seq: (L) => L.cps[1]!,
      reason: 'checkpoint_signature_invalid',
    },
    {
      name: 'forge a checkpoint (another checkpoint’s signature)',
      tamper: async (L) => {
        const other = await db().selectFrom('audit_checkpoints').select('signature').where('seq', '=', L.cps[2]!).executeTakeFirstOrThrow();
        await db().updateTable('audit_checkpoints').set({ signature: other.signature }).where('seq', '=', L.cps[1]!).execute();
      },
      seq: (L) => L.cps[1]!,
      reason: 'checkpoint_signature_invalid',
    },
    {
      name: 'sign with an unpublished key',
      tamper: async (L) => void (await db().updateTable('audit_checkpoints').set({ key_id: 'attacker-key' }).where('seq', '=', L.cps[0]!).execute()),
      seq: (L) => L.cps[0]!,
      reason: 'checkpoint_unknown_key',
    },
    {
      name: 'rewrite history (edit a row and recompute every later hash and the head)',
      tamper: async (L) => {
        const edited = L.cps[1]! + 2;
        const rows = await db().selectFrom('audit_entries').selectAll().where('seq', '>=', edited - 1).orderBy('seq').execute();
        let prev = rows[0]!.hash;
        for (const row of rows.slice(1)) {
          const details = Number(row.seq) === edited ? JSON.stringify({ i: -1 }) : row.details;
          const hash = entryHash(rowToEntry({ ...row, details, prev_hash: prev }));
          await db().updateTable('audit_entries').set({ details, prev_hash: prev, hash }).where('seq', '=', row.seq).execute();
          prev = hash;
        }
        await db().updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
      },
      seq: (L) => L.cps[2]!,
      reason: 'checkpoint_hash_mismatch',
    },
    {
      name: 'append a row behind the head',
      tamper: async (L) => {
        const last = await db().selectFrom('audit_entries').selectAll().where('seq', '=', L.last).executeTakeFirstOrThrow();
        const entry = { ...rowToEntry(last), seq: L.last + 1, prevHash: last.hash };
        await db().insertInto('audit_entries').values({ ...last, seq: L.last + 1, prev_hash: last.hash, hash: entryHash(entry) }).execute();
      },
      seq: (L) => L.last + 1,
      reason: 'head_mismatch',
    },
  ];

  it('verifies in pages of any size, including problems on a page boundary', async () => {
    for (const pageSize of [1, 2, 3, 7, 1000]) {
      expect(await verifyLog(db(), { pageSize })).toMatchObject({ ok: true, count: layout.last, checkpoints: expect.any(Number) });
    }
    const saved = await snapshot();
    const missing = 7; // with pages of 3: [1-3] [4-6] [8-10]: the gap sits on a boundary
    await db().deleteFrom('audit_entries').where('seq', '=', missing).execute();
    expect(await verifyLog(db(), { pageSize: 3 })).toMatchObject({ ok: false, firstBadSeq: missing, reason: 'sequence_gap', count: missing - 1 });
    await restore(saved);
  });

  it.each(cases)('reports the first bad entry when someone would $name', async ({ tamper, seq, reason, column }) => {
    const saved = await snapshot();
    await tamper(layout);
    const body = await verifyBody();
    expect(body).toMatchObject({ ok: false, first_bad_seq: seq(layout), reason });
    expect(body.message).toEqual(expect.any(String));
    if (column) {
      expect(body.column).toBe(column);
      expect(body.message).toContain(`entry ${seq(layout)}: column ${column} is`);
    } else expect(body.column).toBeUndefined();
    await restore(saved);
  });

  it('never shows an entry under an actor it does not have when actor_id was edited', async () => {
    const saved = await snapshot();
    const seq = x(layout);
    await db().updateTable('audit_entries').set({ actor_id: 'nobody' }).where('seq', '=', seq).execute();
    const page = await server.api('GET', '/v1/audit?actor=nobody');
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([]);
    const exported = await (await fetch(`${server.url}/v1/audit/export?actor=nobody`, { headers: { authorization: `Bearer ${server.adminToken}` } })).text();
    expect(exported).toBe('');
    // Paging stays whole: the cursor follows the rows read, so an entry left out skips no other.
    await db().updateTable('audit_entries').set({ actor_id: 'nobody' }).where('seq', 'in', [seq + 1, seq + 2]).execute();
    await db().updateTable('audit_entries').set({ actor: JSON.stringify({ id: 'nobody', kind: 'system' }) }).where('seq', '=', seq + 2).execute();
    const first = await server.api('GET', '/v1/audit?actor=nobody&order=asc&limit=2');
    expect(first.body).toEqual({ items: [], next_after_seq: seq + 1 });
    const second = await server.api('GET', `/v1/audit?actor=nobody&order=asc&limit=2&after_seq=${first.body.next_after_seq}`);
    expect(second.body.items.map((e: { seq: number }) => e.seq)).toEqual([seq + 2]);
    await restore(saved);
  });
});
