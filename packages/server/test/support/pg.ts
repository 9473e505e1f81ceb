import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The PostgreSQL server started by global-setup.ts, or null when it was turned off. */
export function pgServerUrl(): string | null {
  return inject('pgUrl');
}

/** Runs one statement on its own connection to `url` (a test's superuser view of a database) and returns the rows. */
export async function queryOnce(url: string, text: string, values: unknown[] = []): Promise<any[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty database on the shared test server and returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const base = pgServerUrl();
  if (!base) throw new Error('PostgreSQL is off for this run (MANDATE_TEST_PG=off)');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await queryOnce(`${base}/postgres`, `CREATE DATABASE ${name}`);
  return `${base}/${name}`;
}
