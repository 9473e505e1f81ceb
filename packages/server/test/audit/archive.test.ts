import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { runMandate } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/**
 * Retention end to end on a real server, both stores: entries past `audit.retentionDays` move into
 * sealed segments through `POST /v1/audit/archive/run`, leave the live table, and the whole history
 * verifies from the first entry — over HTTP (`?archive=true`) and with `mandate audit verify
 * --archive DIR`. Copies of the archive, each tampered one way (a line edited, a line dropped, two
 * segments swapped, a signature replaced, the last segment removed), fail naming segment and seq.
 */

const DAY = 86_400_000;
const SEGMENT = 20;

type Manifest = { segments: Array<{ file: string; first_seq: number; last_seq: number; checkpoint: { signature: string } }> };

describe.each(storeKinds())('audit retention and archive on %s', (kind) => {
  let server: TestServer;
  let dir: string;
  let manifest: Manifest;
  let global: string[];
  const clock = new ManualClock(Date.UTC(2026, 6, 1));

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'mandate-archive-e2e-'));
    dir = join(root, 'archive');
    // The job's interval is far beyond the clock's jump, so the run on request below does the work.
    server = await startTestServer({ kind, clock, config: { audit: { retentionDays: 1, archiveDir: dir, archiveSegmentEntries: SEGMENT, archiveIntervalSeconds: 100 * 86_400 } } });
    global = ['--url', server.url, '--token', server.adminToken];
    for (let i = 0; i < 50; i += 1) {
      await server.runtime.audit.append({ type: 'test.old', actor: { kind: 'system', id: 'test' }, action: 'do', outcome: 'success', details: { i } });
    }
    clock.advance(2 * DAY);
    await server.runtime.audit.append({ type: 'test.recent', actor: { kind: 'system', id: 'test' }, action: 'do', outcome: 'success' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A copy of the archive with `tamper` applied; what `mandate audit verify --archive` says of it. */
  const verifyTampered = async (tamper: (copy: string) => void) => {
    const copy = join(mkdtempSync(join(tmpdir(), 'mandate-archive-tampered-')), 'archive');
    cpSync(dir, copy, { recursive: true });
    tamper(copy);
    return runMandate([...global, 'audit', 'verify', '--archive', copy]);
  };
  const rewriteLines = (copy: string, file: string, edit: (lines: string[]) => string[]) => {
    const lines = gunzipSync(readFileSync(join(copy, file))).toString('utf8').trimEnd().split('\n');
    writeFileSync(join(copy, file), gzipSync(`${edit(lines).join('\n')}\n`));
  };
  const editManifest = (copy: string, edit: (m: Manifest) => void) => {
    const m = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as Manifest;
    edit(m);
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(m));
  };

  it('runs as a singleton job and archives on request, then prunes', async () => {
    const { body: jobs } = await server.api('GET', '/v1/jobs');
    expect(jobs.items.find((j: { name: string }) => j.name === 'audit.archive')).toMatchObject({ singleton: true });
    const head = (await server.runtime.audit.head()).seq;
    const run = await server.api('POST', '/v1/audit/archive/run');
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    // Everything but the one recent entry (and any written since, e.g. the run's own audit trail) moved.
    expect(run.body.archived.seq).toBe(head - 1);
    expect(run.body.pruned).toBe(head - 1);
    expect(run.body.written.every((s: { count: number }) => s.count <= SEGMENT)).toBe(true);
    const listing = await server.api('GET', '/v1/audit/archive');
    expect(listing.body).toMatchObject({ dir, retention_days: 1, archived: { seq: head - 1 } });
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.segments.map((s) => s.file)).toEqual(listing.body.segments.map((s: { file: string }) => s.file));
    expect(manifest.segments.length).toBeGreaterThanOrEqual(3);
    // The live table holds only what retention keeps.
    const page = await server.api('GET', '/v1/audit?order=asc&limit=1000');
    expect(page.body.items.map((e: { seq: number }) => e.seq)).toEqual([head]);
  });

  it('verifies the whole history over HTTP and with the CLI', async () => {
    const live = await server.api('GET', '/v1/audit/verify');
    expect(live.body).toMatchObject({ ok: true, count: 1, archived: { seq: manifest.segments.at(-1)!.last_seq } });
    expect(live.body.archive).toBeUndefined();
    const both = await server.api('GET', '/v1/audit/verify?archive=true');
    expect(both.body).toMatchObject({ ok: true, archive: { ok: true, segments: manifest.segments.length, entries: manifest.segments.at(-1)!.last_seq } });
    const cli = await runMandate([...global, 'audit', 'verify', '--archive', dir]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`ok: ${manifest.segments.at(-1)!.last_seq} archived entries in ${manifest.segments.length} segments .* verify from seq 1`));
    const list = await runMandate([...global, 'audit', 'archive', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(manifest.segments[0]!.file);
  });

  it('names the segment and seq of an edited line', async () => {
    const second = manifest.segments[1]!;
    const run = await verifyTampered((copy) =>
      rewriteLines(copy, second.file, (lines) => lines.map((line, i) => (i === 2 ? line.replace('"outcome":"success"', '"outcome":"failure"') : line))),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`segment ${second.file} at seq ${second.first_seq + 2}: hash_mismatch`);
  });

  it('names the segment and seq of a dropped line', async () => {
    const second = manifest.segments[1]!;
    const run = await verifyTampered((copy) => rewriteLines(copy, second.file, (lines) => lines.filter((_, i) => i !== 4)));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`segment ${second.file} at seq ${second.first_seq + 4}: sequence_gap`);
  });

  it('detects two segments swapped (files and manifest order)', async () => {
    const [first, second] = manifest.segments;
    const files = await verifyTampered((copy) => {
      const a = readFileSync(join(copy, first!.file));
      writeFileSync(join(copy, first!.file), readFileSync(join(copy, second!.file)));
      writeFileSync(join(copy, second!.file), a);
    });
    expect(files.code).toBe(1);
    expect(files.stderr).toContain(`segment ${first!.file} at seq 1: sequence_gap`);
    const order = await verifyTampered((copy) => editManifest(copy, (m) => m.segments.splice(0, 2, m.segments[1]!, m.segments[0]!)));
    expect(order.code).toBe(1);
    expect(order.stderr).toContain(`segment ${second!.file} at seq 1: segment_out_of_order`);
  });

  it('detects a wrong checkpoint signature', async () => {
    const [first, second] = manifest.segments;
    const run = await verifyTampered((copy) => editManifest(copy, (m) => (m.segments[1]!.checkpoint.signature = first!.checkpoint.signature)));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`segment ${second!.file} at seq ${second!.last_seq}: checkpoint_signature_invalid`);
  });

  it('detects a missing last segment: the archive no longer reaches the live log', async () => {
    const last = manifest.segments.at(-1)!;
    const run = await verifyTampered((copy) => {
      editManifest(copy, (m) => m.segments.pop());
      rmSync(join(copy, last.file));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`at seq ${last.first_seq}: live_link_mismatch`);
  });

  it('reports a tampered archive through GET /v1/audit/verify?archive=true', async () => {
    const second = manifest.segments[1]!;
    rewriteLines(dir, second.file, (lines) => lines.map((line, i) => (i === 0 ? line.replace('"action":"do"', '"action":"undo"') : line)));
    const { body } = await server.api('GET', '/v1/audit/verify?archive=true');
    expect(body.ok).toBe(false);
    expect(body.archive).toMatchObject({ ok: false, segment: second.file, first_bad_seq: second.first_seq, reason: 'hash_mismatch' });
  });

  it('archives on its own when the job falls due on the scheduler', async () => {
    const before = (await server.api('GET', '/v1/audit/archive')).body.archived.seq as number;
    const head = (await server.runtime.audit.head()).seq;
    clock.advance(101 * DAY);
    await server.runtime.scheduler.runDue();
    const after = (await server.api('GET', '/v1/audit/archive')).body.archived.seq as number;
    expect(after).toBeGreaterThan(before);
    expect(after).toBeGreaterThanOrEqual(head);
  });
});

describe('audit retention off (the default)', () => {
  it('keeps every entry: no archive job, and a run on request is refused', async () => {
    const server = await startTestServer();
    try {
      const { body: jobs } = await server.api('GET', '/v1/jobs');
      expect(jobs.items.map((j: { name: string }) => j.name)).not.toContain('audit.archive');
      const run = await server.api('POST', '/v1/audit/archive/run');
      expect(run.status).toBe(409);
      expect(run.body.message ?? run.body.error_description ?? JSON.stringify(run.body)).toMatch(/retentionDays is not set/);
      const listing = await server.api('GET', '/v1/audit/archive');
      expect(listing.body).toMatchObject({ retention_days: null, archived: { seq: 0 }, segments: [] });
      const auditor = await server.api('POST', '/v1/audit/archive/run', undefined, { token: null });
      expect(auditor.status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});
