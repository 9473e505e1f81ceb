import { createHash, createPublicKey, verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash } from '../../src/audit/hash.js';
import { rowToEntry } from '../../src/audit/log.js';
import type { AuditEvent } from '../../src/audit/types.js';
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

  beforeAll(async () => {
    server = await startTestServer({ kind, clock, config: { audit: { checkpointEveryEntries: EVERY, checkpointIntervalSeconds: INTERVAL } } });
    // seq 1 is the bootstrap admin. Then 24 events over two "days" of manual time.
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
      const res = await server.api('GET', `/v1/audit?${query}${sep}limit=4${cursor !== null ? `&after_seq=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.next_after_seq;
    } while (cursor !== null);
    return items;
  };

  it('pages newest-first by default and oldest-first on request, without gaps or repeats', async () => {
    const desc = await all('');
    expect(desc.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
    const asc = await all('order=asc');
    expect(asc.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(asc[0]).toMatchObject({ seq: 1, type: 'operator.created', actor: { kind: 'system', id: 'bootstrap' } });
    expect(asc[2]).toMatchObject({ seq: 3, actor: { kind: 'operator', id: 'op-alice', roles: ['admin'] }, details: { i: 1 } });
    expect(asc[1].actor.chain).toEqual([{ sub: 'user:bob' }, { sub: 'agent-0', client_id: 'agent-0' }]);
  });

  it('filters by type (exact and prefix), agent, actor, subject, outcome and time range', async () => {
    const expectSeqs = async (query: string, predicate: (i: number) => boolean) => {
      const expected = Array.from({ length: 24 }, (_, i) => i).filter(predicate).map((i) => i + 2);
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
    // seq 1 (bootstrap) is at t0 too, so the range [t0, day2) holds it and the first 12 events.
    const firstDay = await all(`order=asc&from=${encodeURIComponent(new Date(t0).toISOString())}&to=${encodeURIComponent(day2)}`);
    expect(firstDay.map((e) => e.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
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
    expect(full).toHaveLength(25);
    for (let i = 1; i < full.length; i += 1) expect(full[i].prev_hash).toBe(full[i - 1].hash);
  });

  it('verifies a clean log', async () => {
    const { status, body } = await server.api('GET', '/v1/audit/verify');
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, count: 25, checkpoints: 5, head: { seq: 25, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
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
    expect(checkpoints.map((c: any) => c.seq)).toEqual([5, 10, 15, 20, 25]);
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
    expect((await server.api('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true, count: before.seq + 1, checkpoints: 6 });
  });

  it('batches enqueued events into group commits that chain and verify', async () => {
    const start = (await server.runtime.audit.head()).seq;
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => server.runtime.audit.enqueue({ type: 'decision', actor: agentActor('agent-9'), agentId: 'agent-9', action: 'authorize', outcome: 'success', details: { n: i } })),
    );
    expect(results.map((e) => e.seq)).toEqual(Array.from({ length: 120 }, (_, i) => start + i + 1));
    expect(results.map((e) => e.details.n)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    const verified = (await server.api('GET', '/v1/audit/verify')).body;
    expect(verified).toMatchObject({ ok: true, count: start + 120 });
    // A batch that crosses the threshold gets one checkpoint over its last entry (the head).
    expect(verified.checkpoints).toBeGreaterThan(6);
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
    for (const path of ['/v1/audit', '/v1/audit/verify', '/v1/audit/export', '/v1/audit/checkpoints']) {
      expect((await server.api('GET', path, undefined, { token: auditor.body.token })).status, path).toBe(200);
      expect((await server.api('GET', path, undefined, { token: approver.body.token })).status, path).toBe(403);
      expect((await server.api('GET', path, undefined, { token: null })).status, path).toBe(401);
    }
    expect((await server.api('GET', '/v1/audit/keys', undefined, { token: null })).status).toBe(200);
  });
});

describe.each(storeKinds())('audit tamper detection on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ kind, config: { audit: { checkpointEveryEntries: EVERY, checkpointIntervalSeconds: 3600 } } });
    for (let i = 0; i < 19; i += 1) {
      await server.runtime.audit.append({ type: 'tamper.seed', actor: { kind: 'system', id: 'test' }, subject: `s-${i}`, action: 'seed', outcome: 'success', details: { i } });
    }
    // 20 entries (bootstrap + 19), checkpoints at 5, 10, 15, 20.
    expect(await verifyBody()).toMatchObject({ ok: true, count: 20, checkpoints: 4 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const db = () => server.runtime.store.db;
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
      await trx.insertInto('audit_entries').values(saved.entries).execute();
      await trx.deleteFrom('audit_checkpoints').execute();
      await trx.insertInto('audit_checkpoints').values(saved.checkpoints).execute();
      await trx.updateTable('audit_head').set(saved.head).where('id', '=', 1).execute();
    });
    expect(await verifyBody()).toMatchObject({ ok: true, count: 20 });
  };

  const cases: Array<{ name: string; tamper: () => Promise<void>; seq: number; reason: string }> = [
    {
      name: "edit a row's details",
      tamper: async () => void (await db().updateTable('audit_entries').set({ details: JSON.stringify({ i: 999 }) }).where('seq', '=', 7).execute()),
      seq: 7,
      reason: 'hash_mismatch',
    },
    {
      name: 'delete a row',
      tamper: async () => void (await db().deleteFrom('audit_entries').where('seq', '=', 7).execute()),
      seq: 7,
      reason: 'sequence_gap',
    },
    {
      name: 'reorder two rows (swap seq)',
      tamper: async () => {
        await db().updateTable('audit_entries').set({ seq: 1_000_000 }).where('seq', '=', 7).execute();
        await db().updateTable('audit_entries').set({ seq: 7 }).where('seq', '=', 8).execute();
        await db().updateTable('audit_entries').set({ seq: 8 }).where('seq', '=', 1_000_000).execute();
      },
      seq: 7,
      reason: 'prev_hash_mismatch',
    },
    {
      name: 'truncate the tail',
      tamper: async () => void (await db().deleteFrom('audit_entries').where('seq', '>', 17).execute()),
      seq: 18,
      reason: 'head_mismatch',
    },
    {
      name: 'truncate the tail and rewind the head',
      tamper: async () => {
        await db().deleteFrom('audit_entries').where('seq', '>', 17).execute();
        const last = await db().selectFrom('audit_entries').select('hash').where('seq', '=', 17).executeTakeFirstOrThrow();
        await db().updateTable('audit_head').set({ seq: 17, hash: last.hash }).where('id', '=', 1).execute();
      },
      seq: 18,
      reason: 'checkpoint_beyond_head',
    },
    {
      name: 'forge a checkpoint (altered time)',
      tamper: async () => void (await db().updateTable('audit_checkpoints').set({ time: '2020-01-01T00:00:00.000Z' }).where('seq', '=', 10).execute()),
      seq: 10,
      reason: 'checkpoint_signature_invalid',
    },
    {
      name: 'forge a checkpoint (someone else’s signature)',
      tamper: async () => {
        const other = await db().selectFrom('audit_checkpoints').select('signature').where('seq', '=', 15).executeTakeFirstOrThrow();
        await db().updateTable('audit_checkpoints').set({ signature: other.signature }).where('seq', '=', 10).execute();
      },
      seq: 10,
      reason: 'checkpoint_signature_invalid',
    },
    {
      name: 'sign with an unpublished key',
      tamper: async () => void (await db().updateTable('audit_checkpoints').set({ key_id: 'attacker-key' }).where('seq', '=', 5).execute()),
      seq: 5,
      reason: 'checkpoint_unknown_key',
    },
    {
      name: 'rewrite history (edit row 12 and recompute every later hash and the head)',
      tamper: async () => {
        const rows = await db().selectFrom('audit_entries').selectAll().where('seq', '>=', 11).orderBy('seq').execute();
        let prev = rows[0]!.hash;
        for (const row of rows.slice(1)) {
          const details = row.seq === 12 ? JSON.stringify({ i: -1 }) : row.details;
          const entry = rowToEntry({ ...row, details, prev_hash: prev });
          const hash = entryHash(entry);
          await db().updateTable('audit_entries').set({ details, prev_hash: prev, hash }).where('seq', '=', row.seq).execute();
          prev = hash;
        }
        await db().updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
      },
      seq: 15,
      reason: 'checkpoint_hash_mismatch',
    },
    {
      name: 'append a row behind the head',
      tamper: async () => {
        const last = await db().selectFrom('audit_entries').selectAll().where('seq', '=', 20).executeTakeFirstOrThrow();
        const entry = { ...rowToEntry(last), seq: 21, prevHash: last.hash };
        await db().insertInto('audit_entries').values({ ...last, seq: 21, prev_hash: last.hash, hash: entryHash(entry) }).execute();
      },
      seq: 21,
      reason: 'head_mismatch',
    },
  ];

  it.each(cases)('reports the first bad entry when someone would $name', async ({ tamper, seq, reason }) => {
    const saved = await snapshot();
    await tamper();
    const body = await verifyBody();
    expect(body).toMatchObject({ ok: false, first_bad_seq: seq, reason });
    expect(body.message).toEqual(expect.any(String));
    await restore(saved);
  });
});
