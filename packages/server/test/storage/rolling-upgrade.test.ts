import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { MIGRATIONS } from '../../src/migrations.js';
import { createRuntime } from '../../src/runtime.js';
import { migrateToLatest, MigrationError, openStore, type Migrations } from '../../src/storage/index.js';
import { runMandate } from '../support/cli.js';
import { createTestDatabase, pgServerUrl } from '../support/pg.js';
import { spawnMandate, spawnServer, type ServerProcess } from '../support/process.js';
import { newStoreLocation, storeKinds, type TestStoreLocation } from '../support/stores.js';

/*
 * Rolling upgrade (docs/operations.md): replicas of release N and N+1 serve side by side on one
 * database while N+1's migrations are applied. What N does on a schema N+1 migrated is shown
 * here with a real server process on a store that carries one more, additive, migration than
 * this version knows: the shape every next release's migration must have (migration-lint.test.ts).
 */

/** This version's newest migration, and every other one: a store one release behind. */
const LAST = Object.keys(MIGRATIONS).sort().at(-1)!;
const OLDER: Migrations = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name !== LAST));

/** What the next release might ship: a new table and a nullable column on a table this version writes. */
const NEXT_VERSION: Migrations = {
  '999-next-version': {
    async up(db) {
      await db.schema.createTable('next_version_notes').addColumn('id', 'text', (c) => c.primaryKey()).execute();
      await db.schema.alterTable('agents').addColumn('next_version_label', 'text').execute();
    },
  },
};

async function storeAtNextVersion(kind: 'sqlite' | 'postgres'): Promise<TestStoreLocation> {
  const location = await newStoreLocation(kind);
  const store = await openStore({ ...location, migrations: { ...MIGRATIONS, ...NEXT_VERSION } });
  await store.close();
  return location;
}

const processes: ServerProcess[] = [];
afterAll(async () => {
  for (const proc of processes) {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
});

function envFor(location: TestStoreLocation, extra: Record<string, string> = {}): Record<string, string> {
  return { MANDATE_DATA_DIR: location.dataDir, MANDATE_DATABASE_URL: location.databaseUrl ?? '', MANDATE_MASTER_KEY: '', ...extra };
}

describe.each(storeKinds())('rolling upgrade on %s', (kind) => {
  it('a server of this version keeps serving a store the next version migrated, and names the migrations it does not know', async () => {
    const location = await storeAtNextVersion(kind);
    const proc = await spawnServer(envFor(location));
    processes.push(proc);
    expect(proc.stdout()).toMatch(/"unknown_migrations":\["999-next-version"\][^\n]*a newer version applied/);

    // Writes and reads of the tables the next version changed still work: register an agent and get it a token.
    const admin = readFileSync(join(location.dataDir, 'admin-token'), 'utf8').trim();
    const registered = await fetch(`${proc.url}/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'old-replica agent', purpose: 'rolling upgrade', owner: 'alice@example.com', scopes: ['calendar.read'], tools: [], data_classification: 'internal', environment: 'production' }),
    });
    expect(registered.status).toBe(201);
    const { client_id, client_secret } = (await registered.json()) as { client_id: string; client_secret: string };
    const token = await fetch(`${proc.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=calendar.read',
    });
    expect(token.status).toBe(200);
    expect((await fetch(`${proc.url}/readyz`)).status).toBe(200);

    const status = await runMandate(['--data-dir', location.dataDir, '--json', 'server', 'migrate', '--status', ...(location.databaseUrl ? ['--database-url', location.databaseUrl] : [])]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ pending: [], unknown: ['999-next-version'] });
  }, 120_000);

  it('refuses, changing nothing, a store that lacks migrations this version needs while carrying ones it does not know', async () => {
    const location = await newStoreLocation(kind);
    const store = await openStore({ ...location, migrations: { ...OLDER, ...NEXT_VERSION } });
    try {
      await expect(migrateToLatest(store.db, store.dialect, MIGRATIONS)).rejects.toThrow(MigrationError);
      await expect(migrateToLatest(store.db, store.dialect, MIGRATIONS)).rejects.toThrow(`does not know (999-next-version) and lacks ones it needs (${LAST})`);
      expect(await store.db.selectFrom('kysely_migration').select('name').where('name', '=', LAST).execute()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('with migrateOnStart off, a start that would need to migrate refuses and names what is pending; `server migrate` applies it, then the start succeeds', async () => {
    const location = await newStoreLocation(kind);
    await (await openStore({ ...location, migrations: OLDER })).close();
    const config = loadConfig({ env: {}, flags: { port: 0, logLevel: 'silent', dataDir: location.dataDir, databaseUrl: location.databaseUrl, migrateOnStart: false } });
    await expect(createRuntime(config)).rejects.toThrow(`needs migrations this version brings (${LAST}) and migrateOnStart is off: run \`mandate server migrate\` first`);

    const args = ['--data-dir', location.dataDir, 'server', 'migrate', ...(location.databaseUrl ? ['--database-url', location.databaseUrl] : [])];
    const dry = await runMandate([...args, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would apply: ${LAST} (dry run: nothing was changed)`);
    const applied = await runMandate(args);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain(`applied now: ${LAST}`);
    expect((await runMandate(args)).stdout).toContain('nothing to apply');

    const runtime = await createRuntime(config);
    await runtime.close();
  }, 60_000);

  it('a migration that fails half-way leaves neither its changes nor its record; those before it stay applied', async () => {
    const store = await openStore(await newStoreLocation(kind));
    const set: Migrations = {
      '001-good': { up: async (db) => void (await db.schema.createTable('good').addColumn('id', 'text').execute()) },
      '002-bad': {
        async up(db) {
          await db.schema.createTable('half').addColumn('id', 'text').execute();
          await db.schema.createTable('good').addColumn('id', 'text').execute(); // already exists: fails
        },
      },
    };
    try {
      await expect(migrateToLatest(store.db, store.dialect, set)).rejects.toThrow("database migration '002-bad' failed");
      const tables = (await store.db.introspection.getTables()).map((t) => t.name);
      expect(tables).toContain('good');
      expect(tables).not.toContain('half');
      const applied = await store.db.selectFrom('kysely_migration').select('name').execute();
      expect(applied.map((r) => r.name)).toEqual(['001-good']);
    } finally {
      await store.close();
    }
  });

  it('two `mandate server migrate` processes on one fresh store apply each migration once between them', async () => {
    // Processes, not two stores in this one: better-sqlite3 waits for a lock synchronously, so
    // a second connection in the same thread would block the one holding it.
    const location = await newStoreLocation(kind);
    const args = ['--data-dir', location.dataDir, '--json', 'server', 'migrate', ...(location.databaseUrl ? ['--database-url', location.databaseUrl] : [])];
    const runs = [spawnMandate(args, envFor(location)), spawnMandate(args, envFor(location))];
    expect(await Promise.all(runs.map((r) => r.exited))).toEqual([0, 0]);
    const reports = runs.map((r) => JSON.parse(r.stdout()) as { ran: string[]; pending: string[] });
    expect(reports.flatMap((r) => r.ran).sort()).toEqual(Object.keys(MIGRATIONS).sort());
    expect(reports.map((r) => r.pending)).toEqual([[], []]);
  }, 120_000);
});

describe.skipIf(pgServerUrl() === null)('replicas starting at once on one fresh PostgreSQL', () => {
  it('migrate once: one process applies every migration, the other waits on the lock and finds nothing to do, both serve', async () => {
    const databaseUrl = await createTestDatabase();
    const key = randomBytes(32).toString('base64');
    const locations = await Promise.all([newStoreLocation('sqlite'), newStoreLocation('sqlite')]);
    const started = await Promise.all(locations.map((l) => spawnServer({ MANDATE_DATA_DIR: l.dataDir, MANDATE_DATABASE_URL: databaseUrl, MANDATE_MASTER_KEY: key })));
    processes.push(...started);
    const migrated = started.map((p) => /"migrations":\[([^\]]*)\][^\n]*"database migrated"/.exec(p.stdout()));
    expect(migrated.filter(Boolean)).toHaveLength(1);
    const names = JSON.parse(`[${migrated.find(Boolean)![1]}]`) as string[];
    expect(names).toEqual(Object.keys(MIGRATIONS).sort());
    for (const proc of started) expect((await fetch(`${proc.url}/readyz`)).status).toBe(200);
  }, 120_000);
});
