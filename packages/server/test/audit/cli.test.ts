import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
