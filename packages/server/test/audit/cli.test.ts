import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HEAD_PURPOSE } from '../../src/audit/index.js';
import { entryHash } from '../../src/audit/hash.js';
import { rowToEntry } from '../../src/audit/store.js';
import { auditTables } from '../../src/audit/tables.js';
import { HEAD_PURPOSE as CLI_HEAD_PURPOSE } from '../../src/cli/audit-head.js';
import { runCli } from '../../src/cli/program.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/** Runs the CLI in-process against the test server and captures what it prints. */
async function cli(server: TestServer, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += chunk.toString()), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += chunk.toString()), true));
  try {
    const code = await runCli(['--url', server.url, '--token', server.adminToken, ...args]);
    return { code, out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe.each(storeKinds())('mandate audit CLI on %s', (kind) => {
  let server: TestServer;
  /** Entries written at start-up; the test's twelve events follow them. */
  let base = 0;
  beforeAll(async () => {
    server = await startTestServer({ kind });
    base = (await server.runtime.audit.head()).seq;
    for (let i = 0; i < 12; i += 1) {
      await server.runtime.audit.append({
        type: i % 2 ? 'token.issued' : 'decision',
        actor: { kind: 'agent', id: `cli-agent-${i % 3}` },
        agentId: `cli-agent-${i % 3}`,
        action: 'act',
        outcome: 'success',
        details: { i },
      });
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('queries with filters and prints JSON or a table', async () => {
    const json = await cli(server, '--json', 'audit', 'query', '--type', 'token.*', '--agent', 'cli-agent-1', '--order', 'asc');
    expect(json.code).toBe(0);
    const page = JSON.parse(json.out);
    expect(page.items.map((e: { details: { i: number } }) => e.details.i)).toEqual([1, 7]);
    const table = await cli(server, 'audit', 'query', '--limit', '2');
    expect(table.out).toMatch(/^SEQ\s+TIME\s+TYPE\s+ACTOR/);
    expect(table.out).toContain(`more: --after-seq ${base + 11}`);
    expect((await cli(server, 'audit', 'query', '--order', 'sideways')).code).toBe(2);
  });

  it('tails the latest entries in order', async () => {
    const { code, out } = await cli(server, 'audit', 'tail', '-n', '3', '--type', 'decision');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines.map((l) => Number(l.split(/\s+/)[0]))).toEqual([7, 9, 11].map((n) => base + n));
  });

  it('verifies: exit 0 when intact, exit 1 naming the first bad seq and why', async () => {
    const ok = await cli(server, 'audit', 'verify');
    expect(ok).toMatchObject({ code: 0, out: expect.stringContaining(`ok: ${base + 12} entries`) });
    const db = server.runtime.store.db;
    const seq = base + 6;
    const row = await db.selectFrom('audit_entries').select('details').where('seq', '=', seq).executeTakeFirstOrThrow();
    await db.updateTable('audit_entries').set({ details: '{"i":"edited"}' }).where('seq', '=', seq).execute();
    try {
      const broken = await cli(server, 'audit', 'verify');
      expect(broken.code).toBe(1);
      expect(broken.err).toContain(`audit log broken at seq ${seq}: hash_mismatch`);
    } finally {
      await db.updateTable('audit_entries').set({ details: row.details }).where('seq', '=', seq).execute();
    }
    expect((await cli(server, 'audit', 'verify')).code).toBe(0);
  });

  it('pins a signed head and detects a later rewrite of the pinned entry that verify alone misses', async () => {
    expect(CLI_HEAD_PURPOSE).toBe(HEAD_PURPOSE);
    const dir = mkdtempSync(join(tmpdir(), 'mandate-head-'));
    const file = join(dir, 'head.json');
    const printed = await cli(server, 'audit', 'head', '--out', file);
    expect(printed.code).toBe(0);
    const pinned = JSON.parse(readFileSync(file, 'utf8'));
    expect(JSON.parse(printed.out)).toEqual(pinned);
    expect(pinned).toMatchObject({ purpose: HEAD_PURPOSE, seq: (await server.runtime.audit.head()).seq, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // The log grows: the pinned entry is still there with its hash.
    await server.runtime.audit.append({ type: 'test.after-pin', actor: { kind: 'system', id: 'test' }, action: 'act', outcome: 'success' });
    const ok = await cli(server, 'audit', 'verify', '--against', file);
    expect(ok).toMatchObject({ code: 0, out: expect.stringContaining(`ok: entry ${pinned.seq} still has the hash of the head pinned at ${pinned.time}`) });

    // Files that are not a good signed head.
    const altered = join(dir, 'altered.json');
    writeFileSync(altered, JSON.stringify({ ...pinned, hash: 'a'.repeat(64) }));
    expect(await cli(server, 'audit', 'verify', '--against', altered)).toMatchObject({ code: 1, err: expect.stringContaining('its signature does not verify') });
    writeFileSync(altered, JSON.stringify({ ...pinned, key_id: 'someone-else' }));
    expect(await cli(server, 'audit', 'verify', '--against', altered)).toMatchObject({ code: 1, err: expect.stringContaining("signed by key 'someone-else', which the server does not publish") });
    writeFileSync(altered, JSON.stringify({ ...pinned, purpose: 'mandate.audit.checkpoint.v1', seq: -1 }));
    const shape = await cli(server, 'audit', 'verify', '--against', altered);
    expect(shape).toMatchObject({ code: 1, err: expect.stringContaining(`not a signed head: purpose must be '${HEAD_PURPOSE}'; seq must be a non-negative integer`) });
    expect(await cli(server, 'audit', 'verify', '--against', join(dir, 'missing.json'))).toMatchObject({ code: 1, err: expect.stringContaining('cannot read it (ENOENT)') });

    // Someone with database access rewrites the pinned entry after the last checkpoint and
    // recomputes every later hash and the head: the chain verifies, the pinned head does not.
    const db = auditTables(server.runtime.store.db);
    const checkpoints = await db.selectFrom('audit_checkpoints').select('seq').where('seq', '>=', pinned.seq).execute();
    expect(checkpoints).toEqual([]);
    const saved = await db.selectFrom('audit_entries').selectAll().where('seq', '>=', pinned.seq).orderBy('seq').execute();
    const savedHead = await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    let prev = saved[0]!.prev_hash;
    for (const row of saved) {
      const details = Number(row.seq) === pinned.seq ? JSON.stringify({ i: 'rewritten' }) : row.details;
      const hash = entryHash(rowToEntry({ ...row, details, prev_hash: prev }));
      await db.updateTable('audit_entries').set({ details, prev_hash: prev, hash }).where('seq', '=', row.seq).execute();
      prev = hash;
    }
    await db.updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
    try {
      expect((await cli(server, 'audit', 'verify')).code).toBe(0);
      const caught = await cli(server, 'audit', 'verify', '--against', file);
      expect(caught.code).toBe(1);
      expect(caught.err).toContain(`entry ${pinned.seq} hashes to`);
      expect(caught.err).toContain(`the log up to seq ${pinned.seq} was rewritten after it was pinned`);
      // Truncating back before the pinned seq is caught too.
      await db.deleteFrom('audit_entries').where('seq', '>=', pinned.seq).execute();
      const kept = await db.selectFrom('audit_entries').select('hash').where('seq', '=', pinned.seq - 1).executeTakeFirstOrThrow();
      await db.updateTable('audit_head').set({ seq: pinned.seq - 1, hash: kept.hash }).where('id', '=', 1).execute();
      expect((await cli(server, 'audit', 'verify')).code).toBe(0);
      expect(await cli(server, 'audit', 'verify', '--against', file)).toMatchObject({ code: 1, err: expect.stringContaining(`before the pinned seq ${pinned.seq}: entries were removed`) });
    } finally {
      await server.runtime.store.transaction(async (trx) => {
        await trx.deleteFrom('audit_entries').where('seq', '>=', pinned.seq).execute();
        await trx.insertInto('audit_entries').values(saved).execute();
        await trx.updateTable('audit_head').set(savedHead).where('id', '=', 1).execute();
      });
    }
    expect((await cli(server, 'audit', 'verify', '--against', file)).code).toBe(0);
  });

  it('exports JSON lines to a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mandate-export-')), 'audit.jsonl');
    const { code, err } = await cli(server, 'audit', 'export', '--out', file, '--type', 'decision');
    expect(code).toBe(0);
    expect(err).toMatch(/exported 6 entries/);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.seq)).toEqual([1, 3, 5, 7, 9, 11].map((n) => base + n));
    expect(lines.every((e) => e.type === 'decision' && /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    const denied = await cli(server, 'audit', 'export', '--from', 'not-a-time');
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/400/);
  });
});

describe('mandate audit checkpoints', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A checkpoint every second entry: the appends below sign several.
    server = await startTestServer({ config: { audit: { checkpointEveryEntries: 2 } } });
    for (let i = 0; i < 8; i += 1) await server.runtime.audit.append({ type: 'test.entry', actor: { kind: 'system', id: 'test' }, action: 'act', outcome: 'success' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists the signed checkpoints oldest first, a page at a time, as a table or JSON; checkpoint shows the newest', async () => {
    const all = JSON.parse((await cli(server, '--json', 'audit', 'checkpoints')).out) as { items: Array<{ seq: number; key_id: string; signature: string }>; next_after_seq: number | null };
    expect(all.items.length).toBeGreaterThanOrEqual(4);
    expect(all.next_after_seq).toBeNull();
    const seqs = all.items.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(all.items[0]).toMatchObject({ key_id: expect.any(String), signature: expect.any(String) });

    const first = await cli(server, 'audit', 'checkpoints', '--limit', '2');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^SEQ\s+TIME\s+KEY_ID\s+HASH$/m);
    expect(first.out).toContain(`more: --after-seq ${seqs[1]}`);
    const next = JSON.parse((await cli(server, '--json', 'audit', 'checkpoints', '--after-seq', String(seqs[1]), '--limit', '2')).out) as { items: Array<{ seq: number }> };
    expect(next.items.map((c) => c.seq)).toEqual(seqs.slice(2, 4));

    const latest = JSON.parse((await cli(server, '--json', 'audit', 'checkpoint')).out) as { seq: number };
    expect(latest.seq).toBe(seqs[seqs.length - 1]);
  });
});
