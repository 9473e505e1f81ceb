import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from './database.js';

/** A migration that may differ by dialect (e.g. bigint identity vs integer primary key). */
export interface DialectMigration {
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
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

class StaticProvider implements MigrationProvider {
  constructor(
    private readonly migrations: Migrations,
    private readonly dialect: Dialect,
  ) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, migration] of Object.entries(this.migrations)) {
      out[name] = { up: (db) => migration.up(db, this.dialect) };
    }
    return out;
  }
}

/** Applies every pending migration in name order; each runs in its own transaction. */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect, migrations: Migrations): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider(migrations, dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration '${failed}' failed: ${(error as Error).message}`, { cause: error });
  }
}
