import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from './database.js';
import { preparedLookup } from './prepared.js';

describe('preparedLookup', () => {
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mandate-prepared-'));
    store = await openStore({ dataDir: dir });
    await sql`create table things (id text primary key, kind text not null, name text not null)`.execute(store.db);
    await sql`insert into things values ('a', 'x', 'first'), ('b', 'x', 'second'), ('c', 'y', 'third')`.execute(store.db);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const things = () => store.db as unknown as Kysely<{ things: { id: string; kind: string; name: string } }>;

  it('runs the compiled query with each argument in the marker’s place, beside constant parameters', async () => {
    const byIdOfKind = preparedLookup(store.db, (id) => things().selectFrom('things').selectAll().where('kind', '=', 'x').where('id', '=', id));
    expect(await byIdOfKind('b')).toEqual({ id: 'b', kind: 'x', name: 'second' });
    expect(await byIdOfKind('a')).toEqual({ id: 'a', kind: 'x', name: 'first' });
    // The constant parameter stays bound: c is of kind y.
    expect(await byIdOfKind('c')).toBeUndefined();
    expect(await byIdOfKind("a' or '1'='1")).toBeUndefined();
  });

  it('refuses a query that does not use its value exactly once', () => {
    expect(() => preparedLookup(store.db, () => things().selectFrom('things').selectAll().where('id', '=', 'a'))).toThrow(/exactly once/);
    expect(() => preparedLookup(store.db, (v) => things().selectFrom('things').selectAll().where('id', '=', v).where('name', '=', v))).toThrow(/exactly once/);
  });
});
