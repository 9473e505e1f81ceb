/**
 * `npm run bench -- monitoring`: the monitor's cost.
 *
 * - events per second through `AgentMonitor.observe` (the pure core: every baseline window and
 *   signal of the event's agent) and through the feed path the server runs (`monitorEventOf`
 *   on a committed audit entry, then `observe`), with 100,000 agents tracked, over a working
 *   mix of events (decisions 80 %, tokens 15 %, failed authentications 5 %) on an advancing clock;
 * - heap per tracked agent at 100,000 agents (each with its baselines, sample rings and a
 *   few tools and scopes seen), measured with forced garbage collection.
 *
 * Prints a table and rewrites only the "Monitoring" section of docs/benchmarks.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AuditEntry } from '../src/audit/index.js';
import { DEFAULTS } from '../src/config/defaults.js';
import { AgentMonitor, monitorEventOf, type MonitorEvent, type MonitorSettings } from '../src/monitoring/index.js';
import { numericOption } from './support/options.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const settings = structuredClone(DEFAULTS.monitoring) as unknown as MonitorSettings;
const START = Date.UTC(2026, 11, 1);
const TOOLS = ['files-api:files.get', 'files-api:files.list', 'calendar-api:events.list'];
const DECLARED = ['files-api', 'calendar-api'];

function agentIdOf(i: number): string {
  return `agent-${String(i).padStart(6, '0')}`;
}

/**
 * A pool of events, `perAgent` for each agent, in a working mix; their times are set as they
 * are replayed. Every event is built by one literal per kind (stable object shapes, as the
 * server's feed builds them), so the measurement is of the monitor, not of megamorphic reads.
 */
function eventPool(agents: number, perAgent: number): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  for (let round = 0; round < perAgent; round += 1) {
    for (let i = 0; i < agents; i += 1) {
      const kind = (i + round) % 20;
      const agentId = agentIdOf(i);
      const seq = events.length + 1;
      if (kind === 0) events.push({ kind: 'auth_failure', agentId, atMs: START, seq });
      else if (kind <= 3) events.push({ kind: 'token', agentId, atMs: START, seq, count: 1, scopes: ['files.read'] });
      else events.push({ kind: 'decision', agentId, atMs: START, seq, decision: kind === 4 ? 'deny' : 'allow', tool: TOOLS[(i + round) % 3]!, declaredTools: DECLARED, actingFor: `user-${i}`, resourceOwner: `user-${i}` });
    }
  }
  return events;
}

/** The same events as the audit entries the server would feed (decision entries carry the logged input). */
function asEntries(events: MonitorEvent[]): AuditEntry[] {
  return events.map((e) => {
    const common = { seq: e.seq, time: new Date(START).toISOString(), actor: { kind: 'agent' as const, id: e.agentId }, subject: null, agentId: e.agentId, prevHash: '', hash: '' };
    if (e.kind === 'token') return { ...common, type: 'oauth.token.issued', action: 'issue', outcome: 'success', details: { scope: 'files.read', count: 1 } };
    if (e.kind === 'auth_failure') return { ...common, agentId: null, type: 'oauth.token.refused', action: 'issue', outcome: 'denied', details: { error: 'invalid_client', client_id: e.agentId } };
    return {
      ...common,
      type: 'policy.decision',
      action: 'read',
      outcome: e.decision === 'allow' ? 'success' : 'denied',
      details: { decision: e.decision, input: { tool: e.tool, agent: { tools: DECLARED }, user: { id: e.actingFor }, resource: { owner: e.resourceOwner }, delegation: { depth: 0 } } },
    };
  });
}

/** Replays the pool `passes` times, one simulated minute apart (`from` the first); returns events per second. */
function measure(passes: number, from: number, count: number, observeAt: (index: number, atMs: number, iso: string) => void): number {
  const began = performance.now();
  for (let pass = 0; pass < passes; pass += 1) {
    const atMs = from + pass * 60_000;
    const iso = new Date(atMs).toISOString();
    for (let i = 0; i < count; i += 1) observeAt(i, atMs, iso);
  }
  return (passes * count) / ((performance.now() - began) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(args: string[]): Promise<void> {
  const agents = numericOption(args, 'agents', 100_000);
  const passes = numericOption(args, 'passes', 5);
  const runs = numericOption(args, 'runs', 3);
  const events = eventPool(agents, 4);
  const entries = asEntries(events);

  // Memory: the heap the monitor's state takes for `agents` agents (each seen with every event kind).
  gc();
  const before = process.memoryUsage().heapUsed;
  const monitor = new AgentMonitor(settings);
  for (const event of events) monitor.observe(event);
  gc();
  const perAgent = (process.memoryUsage().heapUsed - before) / monitor.trackedAgents;

  const core: number[] = [];
  const fed: number[] = [];
  for (let r = 0; r < runs; r += 1) {
    core.push(
      measure(passes, START + 2 * r * passes * 60_000, events.length, (i, atMs) => {
        const event = events[i]!;
        event.atMs = atMs;
        monitor.observe(event);
      }),
    );
    fed.push(
      measure(passes, START + (2 * r + 1) * passes * 60_000, entries.length, (i, _atMs, iso) => {
        const entry = entries[i]!;
        entry.time = iso;
        const event = monitorEventOf(entry);
        if (event) monitor.observe(event);
      }),
    );
  }
  const rows = [
    ['monitor core (AgentMonitor.observe)', `${Math.round(median(core)).toLocaleString('en-US')}`],
    ['feed + core (audit entry → event → observe)', `${Math.round(median(fed)).toLocaleString('en-US')}`],
  ];
  const table = ['| path | events/s (median of runs) |', '|---|---:|', ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join('\n');
  console.log(table);
  console.log(`\nheap per tracked agent at ${agents.toLocaleString('en-US')} agents: ${Math.round(perAgent)} bytes (${((perAgent * agents) / 1024 / 1024).toFixed(1)} MiB in all)`);
  writeSection(table, perAgent, { agents, passes, runs, events: events.length });
}

/** Replaces (or adds) only the "Monitoring" section of docs/benchmarks.md. */
function writeSection(table: string, perAgent: number, shape: { agents: number; passes: number; runs: number; events: number }): void {
  const file = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/benchmarks.md');
  const text = readFileSync(file, 'utf8');
  const date = new Date().toISOString().slice(0, 10);
  const section = [
    '## Monitoring',
    '',
    `\`npm run bench -- monitoring\` (${date}; ${cpus().length} cores shared with other work, load average ${loadavg()[0]!.toFixed(1)}, Node ${process.versions.node}).`,
    `${shape.agents.toLocaleString('en-US')} agents tracked; a pool of ${shape.events.toLocaleString('en-US')} events (decisions 80 %, tokens 15 %, failed authentications 5 %) replayed ${shape.passes} times a simulated minute apart, ${shape.runs} runs, one thread.`,
    '',
    table,
    '',
    `Heap per tracked agent (baselines for 4 rate signals × 3 windows, sample rings, tools and scopes seen; forced GC before and after): **${Math.round(perAgent)} bytes**, ${((perAgent * shape.agents) / 1024 / 1024).toFixed(1)} MiB for ${shape.agents.toLocaleString('en-US')} agents (\`monitoring.maxAgents\` bounds it).`,
    '',
  ].join('\n');
  const re = /## Monitoring\n[\s\S]*?(?=\n## |$)/;
  const next = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
  console.log(`\nwrote the "Monitoring" section of ${file}`);
}
