/**
 * SQLite's compiled statements are kept by SQL text (storage/database.ts
 * cachePreparedStatements): reused when free, never while a stream still iterates one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cachePreparedStatements } from '../../src/storage/database.js';

describe('prepared statements kept by SQL text (SQLite)', () => {
  const database = new BetterSqlite3(join(mkdtempSync(join(tmpdir(), 'mandate-stmt-')), 'x.db'));
  cachePreparedStatements(database, 2);
  database.exec('create table t (n integer)');
  for (let n = 1; n <= 3; n += 1) database.prepare('insert into t (n) values (?)').run(n);
  afterAll(() => database.close());

  it('hands the same statement out again for the same text, with fresh parameters each time', () => {
    const query = 'select n from t where n = ?';
    const first = database.prepare(query);
    expect(database.prepare(query)).toBe(first);
    expect(database.prepare(query).get(1)).toEqual({ n: 1 });
    expect(database.prepare(query).get(2)).toEqual({ n: 2 });
  });

  it('compiles a fresh one while the kept one is busy iterating', () => {
    const query = 'select n from t order by n';
    const kept = database.prepare(query);
    const seen: number[] = [];
    for (const row of kept.iterate() as Iterable<{ n: number }>) {
      const inner = database.prepare(query);
      expect(inner).not.toBe(kept);
      seen.push(row.n, (inner.all() as Array<{ n: number }>).length);
    }
    expect(seen).toEqual([1, 3, 2, 3, 3, 3]);
    expect(database.prepare(query)).toBe(kept);
  });

  it('keeps at most the given number of texts, dropping the least recently used', () => {
    const a = database.prepare('select 1 as a');
    database.prepare('select 2 as b');
    database.prepare('select 1 as a'); // a used again: b is now the oldest
    database.prepare('select 3 as c'); // over the bound of 2: b goes
    expect(database.prepare('select 1 as a')).toBe(a);
    const b = database.prepare('select 2 as b');
    expect(database.prepare('select 2 as b')).toBe(b);
  });
});
