/**
 * `npm run bench -- scale`, issue 11 item 1: disk per decision with compact decision logs, beside
 * the whole-entry format in the same run (`audit.compactBaseCacheEntries: 0` writes entries as
 * before migration 033), and the decision rate of each.
 *
 * Each format gets a fresh Mandate on SQLite (a child pinned to CPU 0; autocannon here on CPU 1,
 * 50 connections) with the authorize bench's agent, token and request; `--decisions=N` (default
 * 20,000) of `/v1/authorize` after a 3 s warm-up. Then the server stops (SQLite checkpoints its WAL into
 * the file) and the driver reads, per decision logged: the growth of the database file since the
 * server was ready, and the pages of the audit tables and their indexes (SQLite's dbstat). With
 * `--postgres` the same on PostgreSQL, by pg_total_relation_size of the audit tables.
 * Rewrites the "Compact decision logs" section of docs/benchmarks.md. About 10 s per format at
 * 4,000 decisions/s, plus start-up; much longer on a loaded machine.
 */
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { REQUEST } from '../authorize.bench.js';
import { replaceSection } from '../support/docs.js';
import { startBenchMandate } from '../support/mandate.js';
import { numericOption } from '../support/options.js';
import { startPostgres } from '../support/postgres.js';
import { basicAuthorization, pinDriver, spawnRole } from '../support/processes.js';
import { loadWithAutocannon, type Measured } from '../support/stats.js';

const self = fileURLToPath(import.meta.url);
/** The audit context's tables and indexes (what a decision costs on disk). */
const AUDIT_TABLES = ['audit_entries', 'audit_blobs'];

// ---- the server (child process) -----------------------------------------------------------------

async function serve(): Promise<void> {
  const compactBases = Number(process.env.BENCH_COMPACT_BASES);
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const { server, issuer, dataDir } = await startBenchMandate('mandate-bench-decision-log-', {
    oauth: { accessTokenTtlSeconds: 900 },
    policy: { decisionsPerMinutePerAgent: 1_000_000_000 },
    audit: { compactBaseCacheEntries: compactBases },
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  const agent = await server.runtime.registry.register(
    { name: 'bench agent', purpose: 'calendar-management', owner: 'bench@example.com', scopes: ['calendar:read'], tools: ['google-calendar-api'], dataClassification: 'confidential', environment: 'production', tokenTtlSeconds: 900 },
    { kind: 'system', id: 'bench' },
  );
  const res = await fetch(`${issuer}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(agent.clientId, agent.clientSecret) }, body: 'grant_type=client_credentials' });
  const { access_token: token } = (await res.json()) as { access_token: string };
  process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
  process.stdout.write(`${JSON.stringify({ url: `${issuer}/v1/authorize`, token, dataDir })}\n`);
}

// ---- the driver ---------------------------------------------------------------------------------

interface Sample {
  format: string;
  decisions: number;
  load: Measured;
  /** Bytes per decision: the database file's growth (SQLite) or the audit relations' (PostgreSQL). */
  growth: number;
  /** Bytes per decision in the audit tables and their indexes. */
  audit: number;
}

const sqliteFile = (dataDir: string) => join(dataDir, 'mandate.db');
const fileBytes = (path: string) => [path, `${path}-wal`].reduce((n, p) => n + (statSync(p, { throwIfNoEntry: false })?.size ?? 0), 0);

/** Bytes of the audit tables and their indexes: dbstat on SQLite, pg_total_relation_size on PostgreSQL. */
async function auditBytes(where: { dataDir: string; databaseUrl?: string | undefined }): Promise<number> {
  if (where.databaseUrl) {
    const client = new pg.Client({ connectionString: where.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ bytes: string }>(`SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c WHERE c.relname = ANY($1) AND c.relkind = 'r'`, [AUDIT_TABLES]);
      return Number(rows[0]!.bytes);
    } finally {
      await client.end();
    }
  }
  const db = new Database(sqliteFile(where.dataDir), { readonly: true });
  try {
    const row = db.prepare(`SELECT coalesce(sum(pgsize), 0) AS bytes FROM dbstat WHERE name LIKE 'audit_entries%' OR name LIKE 'audit_blobs%' OR name LIKE 'sqlite_autoindex_audit_entries%' OR name LIKE 'sqlite_autoindex_audit_blobs%'`).get() as { bytes: number };
    return row.bytes;
  } finally {
    db.close();
  }
}

async function decisionsLogged(where: { dataDir: string; databaseUrl?: string | undefined }): Promise<number> {
  const text = `SELECT count(*) AS n FROM audit_entries WHERE type = 'policy.decision'`;
  if (where.databaseUrl) {
    const client = new pg.Client({ connectionString: where.databaseUrl });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(text)).rows[0]!.n);
    } finally {
      await client.end();
    }
  }
  const db = new Database(sqliteFile(where.dataDir), { readonly: true });
  try {
    return (db.prepare(text).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * `amount` decisions at 50 connections: a fixed count rather than a duration, so both formats
 * write as many entries and the bytes per decision are not lost in page granularity.
 */
async function loadAmount(url: string, headers: Record<string, string>, body: string, amount: number): Promise<Measured & { requests: number }> {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({ url, method: 'POST', connections: 50, amount, headers, body });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts, requests: result.requests.total };
}

async function measure(format: string, compactBases: number, amount: number, pinned: boolean, databaseUrl?: string): Promise<Sample> {
  const { child, line } = await spawnRole(self, 'decision-log-mandate', 31000, pinned, { BENCH_COMPACT_BASES: String(compactBases), ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}) });
  const info = JSON.parse(line) as { url: string; token: string; dataDir: string };
  const where = { dataDir: info.dataDir, databaseUrl };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${info.token}` };
  let load: Measured & { requests: number };
  let before: number;
  let auditBefore: number;
  let loggedBefore: number;
  try {
    await loadWithAutocannon(info.url, headers, JSON.stringify(REQUEST), 3);
    before = databaseUrl ? await auditBytes(where) : fileBytes(sqliteFile(info.dataDir));
    auditBefore = await auditBytes(where);
    loggedBefore = await decisionsLogged(where);
    load = await loadAmount(info.url, headers, JSON.stringify(REQUEST), amount);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  const after = databaseUrl ? await auditBytes(where) : fileBytes(sqliteFile(info.dataDir));
  const auditAfter = await auditBytes(where);
  // Counted in the log (what took the space), not from the load generator's tally.
  const decisions = (await decisionsLogged(where)) - loggedBefore;
  console.log(`${format}: ${decisions} decisions logged during the measured load`);
  return { format, decisions, load, growth: (after - before) / decisions, audit: (auditAfter - auditBefore) / decisions };
}

export async function run(args: string[]): Promise<void> {
  const began = performance.now();
  const load1 = loadavg()[0]!;
  const amount = numericOption(args, 'decisions', 20_000);
  const pinned = pinDriver();
  const rows: string[] = [];
  const ratios: string[] = [];
  const kinds = args.includes('--postgres') ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const kind of kinds) {
    const postgres = kind === 'postgres' ? await startPostgres() : undefined;
    try {
      const samples: Sample[] = [];
      // Alternating order between stores: neither format always runs on the warmer machine.
      const formats: Array<[string, number]> = [
        ['compact (default)', 10_000],
        ['whole entries (compactBaseCacheEntries 0)', 0],
      ];
      for (const [format, bases] of kind === 'sqlite' ? formats : [...formats].reverse()) {
        let databaseUrl: string | undefined;
        if (postgres) {
          const name = `log_${bases}`;
          const admin = new pg.Client({ connectionString: `${postgres.base}/postgres` });
          await admin.connect();
          await admin.query(`CREATE DATABASE ${name}`);
          await admin.end();
          databaseUrl = `${postgres.base}/${name}`;
        }
        samples.push(await measure(format, bases, amount, pinned, databaseUrl));
      }
      for (const s of samples) {
        rows.push(`| ${kind} | ${s.format} | ${s.decisions.toLocaleString('en')} | ${Math.round(s.growth).toLocaleString('en')} B | ${Math.round(s.audit).toLocaleString('en')} B | ${Math.round(s.load.rps)} | ${s.load.p99} ms |`);
      }
      const compact = samples.find((s) => s.format.startsWith('compact'))!;
      const whole = samples.find((s) => !s.format.startsWith('compact'))!;
      ratios.push(`${kind}: compact entries take ${((compact.growth / whole.growth) * 100).toFixed(0)} % of the whole format's disk per decision (${(whole.growth / compact.growth).toFixed(1)}× less); decisions/s ${((compact.load.rps / whole.load.rps) * 100).toFixed(0)} % of the whole format's in the same run`);
    } finally {
      await postgres?.stop();
    }
  }
  const minutes = (performance.now() - began) / 60_000;
  const table = ['| store | format | decisions | disk per decision (growth) | audit tables + indexes per decision | decisions/s | p99 (50 connections) |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
  console.log(`\n${table}\n\n${ratios.join('\n')}\ntotal ${minutes.toFixed(1)} min`);
  replaceSection(
    '## Compact decision logs',
    [
      '## Compact decision logs',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench -- scale\` (packages/server/bench/scale/decision-log.ts) on ${cpus().length} cores, Node ${process.versions.node}, load average ${load1.toFixed(1)} at the start (a machine shared with other builds: rates drift up to 2× between runs, so compare within a run). This part took ${minutes.toFixed(1)} min.`,
      '',
      `Each format: a fresh Mandate (pinned to CPU 0, autocannon on CPU 1, 50 connections), the authorize bench's agent, token and request, 3 s warm-up then ${amount.toLocaleString('en')} decisions (\`--decisions=N\`) of \`/v1/authorize\`. Disk per decision is the growth of the SQLite file (WAL checkpointed at shutdown) or of the audit relations on PostgreSQL (pg_total_relation_size), divided by the decisions answered; the audit column counts only the audit tables and their indexes (dbstat). "Whole entries" is the format before migration 033 (\`audit.compactBaseCacheEntries: 0\`). Goal: ≤ 600 bytes per decision (issue 11 measured 4.3 KB on main).`,
      '',
      table,
      '',
      ...ratios.map((r) => `- ${r}`),
      '',
    ].join('\n'),
  );
}

if (process.env.BENCH_ROLE === 'decision-log-mandate') await serve();
