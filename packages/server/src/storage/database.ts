import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import { migrateToLatest, type Migrations } from './migrate.js';

export type Dialect = 'sqlite' | 'postgres';
/**
 * The database and its transactions, untyped at this level: storage knows no context. Each
 * context sees only its own tables through `tablesOf<ItsTables>(executor)`, so a query on
 * another context's table does not compile; what one context needs of another is a method
 * of the other's face. One transaction still spans contexts (a change and its audit entry).
 */
export type Db = Kysely<any>;
export type Tx = Transaction<any>;
/** Either the database or an open transaction: services accept both so they compose. */
export type Executor = Db | Tx;

/** A context's typed view of the database or of an open transaction (same connection, no copy). */
export function tablesOf<T>(executor: Executor): Kysely<T> {
  return executor as Kysely<T>;
}

export interface Store {
  readonly db: Db;
  readonly dialect: Dialect;
  /** Runs `work` in one transaction: everything in it commits together or not at all. */
  transaction<T>(work: (trx: Tx) => Promise<T>): Promise<T>;
  /** Throws when the database cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** `postgres://…` selects PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Migrations to apply before the store is handed out (none when absent). */
  migrations?: Migrations;
  /** Called with errors that pg reports on idle clients, so they never crash the process. */
  onBackgroundError?: (error: Error) => void;
}

// bigint (int8) columns come back from pg as text; every count and sequence here fits in 2^53.
pg.types.setTypeParser(20, (text: string) => Number(text));

/** Distinct SQL texts whose compiled statements SQLite keeps (the server issues a few hundred). */
export const PREPARED_STATEMENTS_KEPT = 1_000;

/**
 * Kysely prepares a statement for every query, and better-sqlite3 compiles one on every
 * prepare: on the audited hot paths that compile cost about as much as running the statement.
 * Statements are kept by SQL text (the least recently used dropped beyond `max`) and handed out
 * again unless busy (a stream still iterating one), in which case a fresh one is compiled.
 * Parameters are bound per call, so reuse shares no values between queries.
 */
export function cachePreparedStatements(database: BetterSqlite3.Database, max: number): void {
  const compile = database.prepare.bind(database);
  const kept = new Map<string, BetterSqlite3.Statement>();
  database.prepare = ((source: string) => {
    const held = kept.get(source);
    if (held && !held.busy) {
      kept.delete(source);
      kept.set(source, held);
      return held;
    }
    const statement = compile(source);
    if (!held) {
      kept.set(source, statement);
      if (kept.size > max) kept.delete(kept.keys().next().value!);
    }
    return statement;
  }) as BetterSqlite3.Database['prepare'];
}

function sqliteDialect(dataDir: string): SqliteDialect {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return new SqliteDialect({
    database: async () => {
      const file = join(dataDir, 'mandate.db');
      const database = new BetterSqlite3(file);
      // The file holds token and secret hashes, sealed keys and the audit log: private to the
      // server user even in a world-readable data dir. SQLite gives the WAL and shared-memory
      // files the database file's mode, so setting it before WAL is on covers all three.
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        if (existsSync(path)) chmodSync(path, 0o600);
      }
      // WAL lets readers proceed during writes; NORMAL sync is durable at each checkpoint and
      // survives process crashes (only an OS crash can lose the last transactions).
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      database.pragma('foreign_keys = ON');
      database.pragma('busy_timeout = 5000');
      cachePreparedStatements(database, PREPARED_STATEMENTS_KEPT);
      return database;
    },
  });
}

function postgresDialect(url: string, onError: (error: Error) => void): PostgresDialect {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return new PostgresDialect({ pool });
}

/** The store cannot be reached at start: one line naming where (never the password) and why. */
export class StoreUnavailableError extends Error {
  constructor(location: string, cause: unknown) {
    super(`cannot connect to the database at ${location}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** The database URL with its password masked, or the SQLite file. */
export function describeLocation(options: Pick<OpenStoreOptions, 'databaseUrl' | 'dataDir'>): string {
  if (!options.databaseUrl) return join(options.dataDir, 'mandate.db');
  try {
    const url = new URL(options.databaseUrl);
    if (url.password) url.password = '****';
    return url.toString();
  } catch {
    return 'the configured MANDATE_DATABASE_URL (not a valid URL)';
  }
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const dialect: Dialect = options.databaseUrl ? 'postgres' : 'sqlite';
  const onError = options.onBackgroundError ?? (() => {});
  const db: Db = new Kysely<any>({
    dialect: options.databaseUrl ? postgresDialect(options.databaseUrl, onError) : sqliteDialect(options.dataDir),
  });
  try {
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      throw new StoreUnavailableError(describeLocation(options), error);
    }
    if (options.migrations) await migrateToLatest(db, dialect, options.migrations);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    db,
    dialect,
    transaction: (work) => db.transaction().execute(work),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
