/**
 * `npm run bench -- cli [--spawns=N] [--baseline=PATH]`: how long the `mandate` command takes
 * from spawn to exit, beside bare Node (`node -e 0`) in the same run.
 *
 * Each case is a fresh `node packages/server/bin/mandate.js …` process (the compiled CLI in
 * dist/: run `npm run build` first), so what is measured is what a user waits for: Node's own
 * start, loading the CLI's modules, and for `agent list` one HTTP round trip to a running server
 * holding a few agents. The server runs in a child process pinned to CPU 0, the spawns on CPU 1.
 * Two warm-up rounds, then N rounds (default 20) that run every case once each, in turn, so
 * drift on a shared machine hits all cases alike; the table shows medians and the ratio to
 * `node -e 0` (the floor no CLI can go below). `--baseline=PATH` adds `--help` and `agent list`
 * of another build's bin/mandate.js (e.g. a checkout of an older commit, built) to the same
 * rounds, so a before/after comparison sees the same load on a shared machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchMandate } from './support/mandate.js';
import { numericOption } from './support/options.js';
import { pinDriver, spawnRole } from './support/processes.js';
import { median } from './support/stats.js';

const AGENTS = 5;
const WARMUP_ROUNDS = 2;
const GOAL_MS = 300;

const self = fileURLToPath(import.meta.url);
const bin = join(dirname(self), '..', 'bin', 'mandate.js');
const compiledCli = join(dirname(self), '..', 'dist', 'cli', 'main.js');

// ---- the server (child process) -----------------------------------------------------------------

async function serveMandate(): Promise<void> {
  const { server, dataDir } = await startBenchMandate('mandate-bench-cli-', {});
  process.stdout.write(`${JSON.stringify({ url: server.url, dataDir })}\n`);
}

// ---- the driver ---------------------------------------------------------------------------------

interface Case {
  name: string;
  args: string[];
}

/** Registers agents over the admin API, as an operator would, so `agent list` has rows to print. */
async function registerAgents(url: string, token: string): Promise<void> {
  for (let i = 0; i < AGENTS; i++) {
    const response = await fetch(`${url}/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench agent ${i}`, purpose: 'CLI start-up benchmark', owner: 'bench@example.com', scopes: ['api.read'], tools: [], data_classification: 'internal', environment: 'production' }),
    });
    if (!response.ok) throw new Error(`registering a bench agent: ${response.status} ${await response.text()}`);
  }
}

/**
 * The environment of every spawn: the driver's, without anything that would load more than the
 * command itself (tsx's NODE_OPTIONS) or point the CLI elsewhere (MANDATE_*).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && !key.startsWith('MANDATE_')));
}

/** Wall time of one spawn until exit, in ms; a failing command fails the benchmark. */
function timeSpawn(testCase: Case, env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, testCase.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${testCase.name} exited with ${result.status}: ${String(result.stderr)}`);
  return elapsed;
}

export async function run(args: string[]): Promise<void> {
  if (!existsSync(compiledCli)) throw new Error(`no compiled CLI at ${compiledCli}: run \`npm run build\` first`);
  const spawns = numericOption(args, 'spawns', 20);
  const baseline = args.find((arg) => arg.startsWith('--baseline='))?.slice('--baseline='.length);
  if (baseline && !existsSync(baseline)) throw new Error(`no baseline CLI at ${baseline}`);
  const pinned = pinDriver();
  const { child, line } = await spawnRole(self, 'mandate', 25000, pinned);
  const server = JSON.parse(line) as { url: string; dataDir: string };
  const times = new Map<string, number[]>();
  let cases: Case[] = [];
  try {
    const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
    await registerAgents(server.url, token);
    const agentList = (mandate: string) => [mandate, '--url', server.url, '--token', token, 'agent', 'list'];
    cases = [
      { name: 'node -e 0', args: ['-e', '0'] },
      { name: 'mandate --help', args: [bin, '--help'] },
      { name: 'mandate --version', args: [bin, '--version'] },
      { name: 'mandate agent list', args: agentList(bin) },
    ];
    if (baseline) cases.push({ name: 'baseline: mandate --help', args: [baseline, '--help'] }, { name: 'baseline: mandate agent list', args: agentList(baseline) });
    const env = cleanEnv();
    for (let round = 0; round < WARMUP_ROUNDS + spawns; round++) {
      for (const testCase of cases) {
        const ms = timeSpawn(testCase, env);
        if (round >= WARMUP_ROUNDS) times.set(testCase.name, [...(times.get(testCase.name) ?? []), ms]);
      }
    }
  } finally {
    child.kill('SIGTERM');
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  const floor = median(times.get('node -e 0')!);
  const fmt = (ms: number) => ms.toFixed(1);
  console.log(`${spawns} spawns per command after ${WARMUP_ROUNDS} warm-up rounds; ${AGENTS} agents on the server${baseline ? `; baseline ${baseline}` : ''}\n`);
  console.log('| command | median ms | min ms | max ms | × node -e 0 |');
  console.log('|---|---:|---:|---:|---:|');
  for (const { name } of cases) {
    const ms = times.get(name)!;
    console.log(`| \`${name}\` | ${fmt(median(ms))} | ${fmt(Math.min(...ms))} | ${fmt(Math.max(...ms))} | ${(median(ms) / floor).toFixed(1)}× |`);
  }
  const slow = ['mandate --help', 'mandate agent list'].filter((name) => median(times.get(name)!) >= GOAL_MS);
  console.log(`\ngoal: \`--help\` and \`agent list\` under ${GOAL_MS} ms: ${slow.length === 0 ? 'met' : `not met (${slow.join(', ')})`}`);
}

if (process.env.BENCH_ROLE === 'mandate') await serveMandate();
