/**
 * `npm run bench -- scale` item 3 (`--only=retention`): the data directory at full decision rate
 * with a short retention stays under a bound instead of growing with every decision.
 *
 * Mandate runs on SQLite (a child process pinned to CPU 0; autocannon here on CPU 1, 50
 * connections) with `audit.retentionDays` set to `--retention-seconds` (default 10 s) and the
 * archive job every second, its segments in a directory outside the data directory. For
 * `--soak-seconds` (default 60) the driver sends `/v1/authorize` as fast as the server answers and
 * samples, every second, the data directory's size on disk (allocated blocks of every file: the
 * database, its WAL) and the log's head. The stated bound is the directory at the start plus twice
 * what the live window holds, `decisions/s × (retention + archive interval) × bytes per decision`,
 * plus 8 MiB for the WAL (checkpointed every 1,000 pages of 4 KiB),
 * with the 4.3 KB per decision issue 11 measured on main (`--bytes-per-decision=N`; twice: SQLite
 * reuses freed pages rather than returning them, and the WAL grows between checkpoints). Afterwards the whole history (archive and live) is verified over HTTP.
 * Rewrites the "Scale: retention soak" section of docs/benchmarks.md.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { REQUEST } from '../authorize.bench.js';
import { replaceSection } from '../support/docs.js';
import { startBenchMandate } from '../support/mandate.js';
import { numericOption } from '../support/options.js';
import { basicAuthorization, pinDriver, spawnRole } from '../support/processes.js';

const self = fileURLToPath(import.meta.url);
const MiB = 1024 * 1024;
const ARCHIVE_INTERVAL_SECONDS = 1;
/** SQLite's WAL is checkpointed every 1,000 pages (4 KiB each) by default: room for it twice over. */
const WAL_ALLOWANCE = 8 * MiB;

async function serveMandate(): Promise<void> {
  const retentionSeconds = Number(process.env.BENCH_RETENTION_SECONDS);
  const { server, dataDir } = await startBenchMandate('mandate-bench-retention-', {
    // Lifted so the load generator measures the log, not the limiters (tests cover those).
    oauth: { tokenRateLimitPerMinute: 1_000_000_000 },
    policy: { decisionsPerMinutePerAgent: 1_000_000_000 },
    audit: { retentionDays: retentionSeconds / 86_400, archiveDir: process.env.BENCH_ARCHIVE_DIR, archiveIntervalSeconds: ARCHIVE_INTERVAL_SECONDS },
  });
  process.stdout.write(`${JSON.stringify({ url: server.url, dataDir })}\n`);
}

/** Bytes allocated on disk under `dir` (st.blocks: what the disk holds, not the apparent size). */
async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await diskUsage(path);
    else {
      try {
        total += (await stat(path)).blocks * 512;
      } catch {
        /* removed between readdir and stat (a temporary file) */
      }
    }
  }
  return total;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Sample {
  second: number;
  data: number;
  archive: number;
  head: number;
}

export async function run(args: string[]): Promise<void> {
  const retentionSeconds = numericOption(args, 'retention-seconds', 10);
  const soakSeconds = numericOption(args, 'soak-seconds', 60);
  const perDecision = numericOption(args, 'bytes-per-decision', 4_300);
  const load1 = loadavg()[0]!;
  const pinned = pinDriver();
  const archiveDir = mkdtempSync(join(tmpdir(), 'mandate-bench-retention-archive-'));
  const { child, line } = await spawnRole(self, 'retention-mandate', 31000, pinned, { BENCH_RETENTION_SECONDS: String(retentionSeconds), BENCH_ARCHIVE_DIR: archiveDir });
  const { url, dataDir } = JSON.parse(line) as { url: string; dataDir: string };
  try {
    const admin = { authorization: `Bearer ${readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()}`, 'content-type': 'application/json' };
    const registered = await fetch(`${url}/v1/agents`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'Soak agent', purpose: 'calendar-management', owner: 'bench@example.com', scopes: ['calendar:read'], tools: ['google-calendar-api'], data_classification: 'confidential', environment: 'production' }),
    });
    const { client_id: clientId, client_secret: secret } = (await registered.json()) as { client_id: string; client_secret: string };
    const issued = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(clientId, secret) }, body: 'grant_type=client_credentials' });
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const headOf = async () => ((await (await fetch(`${url}/v1/audit?limit=1`, { headers: admin })).json()) as { items: Array<{ seq: number }> }).items[0]?.seq ?? 0;

    const samples: Sample[] = [];
    const began = performance.now();
    const sample = async () => samples.push({ second: (performance.now() - began) / 1000, data: await diskUsage(dataDir), archive: await diskUsage(archiveDir), head: await headOf() });
    await sample();
    const sampler = setInterval(() => void sample(), 1000);
    const { default: autocannon } = await import('autocannon');
    const result = await autocannon({
      url: `${url}/v1/authorize`,
      connections: 50,
      duration: soakSeconds,
      requests: [{ method: 'POST', body: JSON.stringify(REQUEST), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }],
    } as never);
    clearInterval(sampler);
    await sample();
    const errors = result.non2xx + result.errors + result.timeouts;
    const jobs = (await (await fetch(`${url}/v1/jobs`, { headers: admin })).json()) as { items: Array<{ name: string; runs: number; failures: number; last_duration_ms: number | null; last_error: string | null }> };
    const job = jobs.items.find((j) => j.name === 'audit.archive');
    const verifyStarted = performance.now();
    const verified = (await (await fetch(`${url}/v1/audit/verify?archive=true`, { headers: admin })).json()) as { ok: boolean; count: number; archive: { ok: boolean; entries: number; segments: number; message?: string }; message?: string };
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    if (!verified.ok) throw new Error(`the soaked log does not verify: ${verified.message ?? verified.archive.message}`);

    const start = samples[0]!;
    const end = samples.at(-1)!;
    const decisions = end.head - start.head;
    const rate = decisions / soakSeconds;
    const bound = start.data + WAL_ALLOWANCE + 2 * rate * (retentionSeconds + ARCHIVE_INTERVAL_SECONDS) * perDecision;
    const maxData = Math.max(...samples.map((s) => s.data));
    const lateMax = Math.max(...samples.filter((s) => s.second >= soakSeconds / 2).map((s) => s.data));
    const unbounded = start.data + decisions * perDecision;
    const within = maxData <= bound;
    const summary = [
      `| decisions/s (mean) | decisions | errors | stated bound (at ${perDecision} B per decision) | max data dir | max in the second half | without retention (extrapolated) | archive at the end | archived / live entries | archive job runs (failures, last run) | verify (archive + live) |`,
      `|---|---|---|---|---|---|---|---|---|---|---|`,
      `| ${Math.round(rate)} | ${decisions.toLocaleString('en')} | ${errors} | ${(bound / MiB).toFixed(0)} MiB | ${(maxData / MiB).toFixed(0)} MiB (${((maxData / bound) * 100).toFixed(0)} % of the bound) | ${(lateMax / MiB).toFixed(0)} MiB | ${(unbounded / MiB).toFixed(0)} MiB | ${(end.archive / MiB).toFixed(1)} MiB in ${verified.archive.segments} segments (${(end.archive / Math.max(1, verified.archive.entries)).toFixed(0)} B per entry) | ${verified.archive.entries.toLocaleString('en')} / ${verified.count.toLocaleString('en')} | ${job ? `${job.runs} (${job.failures}, ${job.last_duration_ms} ms${job.last_error ? `: ${job.last_error}` : ''})` : '-'} | ok in ${verifySeconds.toFixed(1)} s |`,
    ].join('\n');
    const curve = samples
      .filter((_, i) => i % Math.max(1, Math.floor(samples.length / 12)) === 0 || _ === end)
      .map((s) => `${s.second.toFixed(0)} s: ${(s.data / MiB).toFixed(0)} MiB`)
      .join(' · ');
    console.log(`\n${summary}\n\ndata directory over time: ${curve}\n${within ? 'within' : 'ABOVE'} the stated bound`);
    replaceSection(
      '## Scale: retention soak',
      [
        '## Scale: retention soak',
        '',
        `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench -- scale --only=retention${args.filter((a) => a.startsWith('--') && !a.startsWith('--only')).map((a) => ` ${a}`).join('')}\` (packages/server/bench/scale/retention.ts) on ${cpus().length} cores, Node ${process.versions.node}, load average ${load1.toFixed(1)} at the start (a machine shared with other builds).`,
        '',
        `Mandate on SQLite (pinned to CPU 0; autocannon on CPU 1, 50 connections) answers \`/v1/authorize\` as fast as it can for ${soakSeconds} s with \`audit.retentionDays\` = ${retentionSeconds} s and the archive job every ${ARCHIVE_INTERVAL_SECONDS} s, segments in a directory outside the data directory. The data directory (database and WAL, allocated blocks) is sampled every second. **Stated bound**: the directory at the start, plus 8 MiB for SQLite's WAL (checkpointed every 1,000 pages of 4 KiB), plus twice the live window, decisions/s × (retention + archive interval) × bytes per decision, with the ${perDecision.toLocaleString('en')} bytes per decision issue 11 measured on main; twice because SQLite reuses freed pages instead of returning them and the WAL grows between checkpoints. The whole history (archive and live) verifies afterwards.`,
        '',
        summary,
        '',
        `Data directory over time: ${curve}. ${within ? 'The maximum stays within the stated bound' : 'The maximum exceeded the stated bound'}; without retention the directory would have grown to the extrapolated figure and kept growing.`,
        '',
      ].join('\n'),
    );
  } finally {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(archiveDir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_ROLE === 'retention-mandate') await serveMandate();
