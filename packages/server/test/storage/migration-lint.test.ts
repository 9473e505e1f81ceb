import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/migrations.js';
import type { Dialect, Migrations } from '../../src/storage/index.js';
import { createTestDatabase } from '../support/pg.js';
import { storeKinds } from '../support/stores.js';

/*
 * The expand/contract rule (docs/operations.md, "Rolling upgrade"): during an upgrade, replicas
 * of the previous release keep serving on the schema the new release migrated, so a migration
 * may only add. This lint RUNS every migration on a fresh store of each dialect, records every
 * statement it sends (so dialect branches and raw SQL are covered alike), and refuses any that
 * would break a reader or writer of the previous release, unless the migration is marked as a
 * contract step with its reason (`contract: '…'` on the DialectMigration).
 */

/** Why `statement` breaks the previous release, or null when it only adds. */
export function destructive(statement: string): string | null {
  const s = statement.replace(/["`]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
  if (/^drop\s/.test(s)) return 'drops a table, index or view the previous release may use';
  if (/^truncate\s/.test(s)) return 'empties a table';
  if (/^alter table\s/.test(s)) {
    if (/\brename\b/.test(s)) return 'renames a table or column the previous release names';
    if (/\bdrop\b/.test(s)) return 'drops a column or constraint the previous release may use';
    if (/\balter column\b.*\b(type|set not null)\b/.test(s)) return 'changes a column the previous release reads or writes';
    if (/\badd column\b.*\bnot null\b/.test(s) && !/\bdefault\b/.test(s)) return "adds a NOT NULL column without a default: the previous release's inserts would fail";
  }
  return null;
}

interface Finding {
  migration: string;
  statement: string;
  reason: string;
}

/** Runs `migrations` in name order on a fresh store and lints each one's statements. */
async function lint(kind: Dialect, migrations: Migrations): Promise<{ findings: Finding[]; counts: Record<string, number> }> {
  let current = '';
  const statements: Array<{ migration: string; sql: string }> = [];
  const log = (event: LogEvent) => {
    if (event.level === 'query') statements.push({ migration: current, sql: event.query.sql });
  };
  const dialect =
    kind === 'sqlite'
      ? new SqliteDialect({ database: new BetterSqlite3(join(mkdtempSync(join(tmpdir(), 'mandate-lint-')), 'lint.db')) })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: await createTestDatabase(), max: 1 }) });
  const db = new Kysely<any>({ dialect, log });
  try {
    for (const name of Object.keys(migrations).sort()) {
      current = name;
      await migrations[name]!.up(db, kind);
    }
  } finally {
    await db.destroy();
  }
  const findings: Finding[] = [];
  const counts: Record<string, number> = {};
  for (const { migration, sql } of statements) {
    counts[migration] = (counts[migration] ?? 0) + 1;
    const reason = destructive(sql);
    const contract = migrations[migration]!.contract;
    if (reason && !(typeof contract === 'string' && contract.trim().length >= 10)) findings.push({ migration, statement: sql, reason });
  }
  return { findings, counts };
}

describe.each(storeKinds())('migration lint on %s', (kind) => {
  it('every shipped migration only adds, or is a contract step that says why', async () => {
    const { findings, counts } = await lint(kind, MIGRATIONS);
    expect(findings).toEqual([]);
    // Proof the lint saw the work: every migration sent at least one statement.
    expect(Object.keys(counts).sort()).toEqual(Object.keys(MIGRATIONS).sort());
  }, 60_000);

  it('refuses drops, renames, column changes and NOT NULL columns without a default, unless marked as a contract step', async () => {
    const base: Migrations = {
      '000-t': {
        async up(db) {
          await db.schema.createTable('t').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('old', 'text').execute();
          await db.schema.createTable('gone').addColumn('id', 'text').execute();
        },
      },
    };
    const bad: Migrations = {
      ...base,
      '001-drop-table': { up: async (db) => void (await db.schema.dropTable('gone').execute()) },
      '002-drop-column': { up: async (db) => void (await db.schema.alterTable('t').dropColumn('old').execute()) },
      '003-rename': { up: async (db) => void (await db.schema.alterTable('t').renameTo('t2').execute()) },
      '004-not-null': { up: async (db) => void (await db.schema.alterTable('t2').addColumn('must', 'text', (c) => c.notNull()).execute()) },
      '005-fine': { up: async (db) => void (await db.schema.alterTable('t2').addColumn('extra', 'text', (c) => c.notNull().defaultTo('x')).execute()) },
    };
    const { findings } = await lint(kind, bad);
    expect(findings.map((f) => f.migration)).toEqual(['001-drop-table', '002-drop-column', '003-rename', '004-not-null']);
    expect(findings[3]!.reason).toMatch(/NOT NULL column without a default/);

    const marked: Migrations = { ...base, '001-drop-table': { ...bad['001-drop-table']!, contract: 'release 0.3 stopped reading table gone (expanded in 0.2)' } };
    expect((await lint(kind, marked)).findings).toEqual([]);
    const unexplained: Migrations = { ...base, '001-drop-table': { ...bad['001-drop-table']!, contract: ' ' } };
    expect((await lint(kind, unexplained)).findings.map((f) => f.migration)).toEqual(['001-drop-table']);
  }, 60_000);
});
