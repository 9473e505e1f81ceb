import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, pgServerUrl } from '../../test/support/pg.js';

describe('test harness', () => {
  it.runIf(pgServerUrl() !== null)('reaches the embedded PostgreSQL', async () => {
    const url = await createTestDatabase();
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    await client.connect();
    const { rows } = await client.query('select 41 + 1 as answer');
    await client.end();
    expect(rows[0].answer).toBe(42);
  });
});
