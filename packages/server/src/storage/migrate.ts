import { sql, type Kysely } from 'kysely';
import { isoTime, systemClock, type Clock } from '../shared/clock.js';
import type { Dialect } from './database.js';

/**
 * A migration that may differ by dialect (e.g. bigint identity vs integer primary key). It runs
 * inside the runner's transaction on the runner's connection: it never opens one of its own.
 */
export interface DialectMigration {
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
  /**
   * Set only on a contract step of an expand/contract change, saying why it is safe: which
   * earlier release stopped reading what it drops or renames. Without it a migration may only
   * add (tables, nullable or defaulted columns, indexes, rows), so a replica of the previous
   * release keeps working on the new schema during a rolling upgrade; the migration lint
   * (test/storage/migration-lint.test.ts) runs every migration and refuses anything else.
   */
  readonly contract?: string;
}

/**
 * Migrations by name. Each context owns its own (`<context>/migrations/`) and the composition
 * root joins them (src/migrations.ts); names carry a number reserved per context, and all of
 * them run in name order.
 */
export type Migrations = Record<string, DialectMigration>;

/** Joins the migration sets of several contexts; a name claimed twice is a programming error. */
export function joinMigrations(...sets: Migrations[]): Migrations {
  const joined: Migrations = {};
  for (const set of sets) {
    for (const [name, migration] of Object.entries(set)) {
      if (name in joined) throw new Error(`migration '${name}' is declared by two contexts`);
      joined[name] = migration;
    }
  }
  return joined;
}

/**
 * The table of applied migrations: the name and columns Kysely's migrator used in earlier
 * versions, so a store they created carries on unchanged.
 */
const TABLE = 'kysely_migration';

/**
 * The PostgreSQL advisory lock (session level) held while migrating, so replicas starting at
 * once migrate one after the other and the later ones find nothing left to do. It is the key
 * Kysely's migrator takes, which earlier Mandate versions ran: an older and a newer version
 * starting together still take turns. The leader lock of singleton jobs uses another key
 * (docs/replicas.md). A holder that dies ends its session, and PostgreSQL frees the lock.
 */
export const MIGRATION_LOCK_KEY = 3853314791062309107n;

/** Where a store stands against the migrations this version knows. */
export interface MigrationStatus {
  /** Known and applied, in name order. */
  applied: string[];
  /** Known and not applied yet, in the order they would run. */
  pending: string[];
  /** Applied, yet unknown to this version: a newer version migrated this store (rolling upgrade). */
  unknown: string[];
}

export interface MigrationReport extends MigrationStatus {
  /** What this run applied (none on a dry run, or when another replica had already). */
  ran: string[];
}

/** The store cannot be migrated by this version as it stands; nothing was changed. */
export class MigrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

async function tableExists(db: Kysely<any>): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  return tables.some((t) => t.name === TABLE);
}

async function appliedNames(db: Kysely<any>): Promise<string[]> {
  if (!(await tableExists(db))) return [];
  const rows = await db.selectFrom(TABLE).select('name').execute();
  return rows.map((r) => String(r.name));
}

/** Compares what the store has applied with what this version knows; refuses a store it cannot follow. */
function compare(known: Migrations, appliedList: string[]): MigrationStatus {
  const applied = new Set(appliedList);
  const names = Object.keys(known).sort();
  const status: MigrationStatus = {
    applied: names.filter((n) => applied.has(n)),
    pending: names.filter((n) => !applied.has(n)),
    unknown: appliedList.filter((n) => !(n in known)).sort(),
  };
  if (status.unknown.length > 0 && status.pending.length > 0) {
    // A newer version applies every migration an older one knows: this store took another path.
    throw new MigrationError(
      `the database has migrations this version does not know (${status.unknown.join(', ')}) and lacks ones it needs (${status.pending.join(', ')}); nothing was changed`,
    );
  }
  const last = status.applied.at(-1);
  const early = last === undefined ? [] : status.pending.filter((n) => n < last);
  if (early.length > 0) {
    // Run now, they would come after migrations that were written assuming they had already run.
    throw new MigrationError(`migrations ${early.join(', ')} sort before '${last}', which is applied already; a migration must be named after every shipped one; nothing was changed`);
  }
  return status;
}

/** Where the store stands, read only: creates nothing, migrates nothing (`mandate server migrate --status`). */
export async function migrationStatus(db: Kysely<any>, migrations: Migrations): Promise<MigrationStatus> {
  return compare(migrations, await appliedNames(db));
}

/**
 * One migration in its own transaction, skipped when it is there already: on SQLite no lock
 * spans processes, but `BEGIN IMMEDIATE` takes the write lock before the check, so a second
 * process starting beside the first waits (busy_timeout) and then finds the row.
 */
async function applyOne(conn: Kysely<any>, dialect: Dialect, name: string, migration: DialectMigration, clock: Clock): Promise<boolean> {
  await sql.raw(dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN').execute(conn);
  try {
    const there = await conn.selectFrom(TABLE).select('name').where('name', '=', name).executeTakeFirst();
    if (!there) {
      await migration.up(conn, dialect);
      await conn.insertInto(TABLE).values({ name, timestamp: isoTime(clock.now()) }).execute();
    }
    await sql.raw('COMMIT').execute(conn);
    return !there;
  } catch (error) {
    // A lost connection cannot roll back, and the database has already: report the first error.
    await sql.raw('ROLLBACK').execute(conn).catch(() => {});
    throw new MigrationError(`database migration '${name}' failed: ${(error as Error).message}`, { cause: error });
  }
}

export interface MigrateOptions {
  /** Report what would run and change nothing. */
  dryRun?: boolean;
  /** Stamps each applied migration. */
  clock?: Clock;
}

/**
 * Applies every pending migration in name order, each in its own transaction, on one
 * connection that holds the migration lock (PostgreSQL) for the whole run. Migrations this
 * version does not know (a newer replica applied them) are reported, not refused: they only
 * add (see DialectMigration.contract), so this version keeps serving on that schema.
 */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect, migrations: Migrations, options: MigrateOptions = {}): Promise<MigrationReport> {
  if (options.dryRun) return { ...(await migrationStatus(db, migrations)), ran: [] };
  const clock = options.clock ?? systemClock;
  return db.connection().execute(async (conn) => {
    if (dialect === 'postgres') await sql`SELECT pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    try {
      await conn.schema
        .createTable(TABLE)
        .ifNotExists()
        .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
        .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
        .execute();
      const status = compare(migrations, await appliedNames(conn));
      const ran: string[] = [];
      for (const name of status.pending) {
        if (await applyOne(conn, dialect, name, migrations[name]!, clock)) ran.push(name);
      }
      return { applied: [...status.applied, ...status.pending], pending: [], unknown: status.unknown, ran };
    } finally {
      // A session that is gone has released the lock with it: never hide the error that ended the run.
      if (dialect === 'postgres') await sql`SELECT pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn).catch(() => {});
    }
  });
}
