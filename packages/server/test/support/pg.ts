import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The PostgreSQL server started by global-setup.ts, or null when it was turned off. */
export function pgServerUrl(): string | null {
  return inject('pgUrl');
}

/** Creates a fresh, empty database on the shared test server and returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const base = pgServerUrl();
  if (!base) throw new Error('PostgreSQL is off for this run (MANDATE_TEST_PG=off)');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: `${base}/postgres` });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return `${base}/${name}`;
}
