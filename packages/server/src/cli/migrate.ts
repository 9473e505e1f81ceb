import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { MIGRATIONS } from '../migrations.js';
import { migrateToLatest, MigrationError, openStore, type MigrationReport } from '../storage/index.js';
import { CliError } from './client.js';
import { printJson } from './output.js';

export interface MigrateCommandOptions {
  dryRun?: boolean;
  status?: boolean;
  json?: boolean;
}

function list(names: string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}

function print(report: MigrationReport, options: MigrateCommandOptions): void {
  if (options.json) {
    printJson(report);
    return;
  }
  const lines = [`applied: ${report.applied.length}  pending: ${report.pending.length}  unknown: ${report.unknown.length}`];
  if (options.status) lines.push(`pending: ${list(report.pending)}`);
  else if (options.dryRun) lines.push(`would apply: ${list(report.pending)} (dry run: nothing was changed)`);
  else lines.push(report.ran.length > 0 ? `applied now: ${list(report.ran)}` : 'nothing to apply: the database is up to date');
  if (report.unknown.length > 0) {
    lines.push(`applied by a newer version, unknown to this one: ${list(report.unknown)} (this version still serves on it; upgrade it)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * `mandate server migrate [--dry-run | --status]` (loaded only when the verb runs): brings the
 * schema to this version ahead of a rollout, under the same lock replicas take at start, so it
 * may run while replicas of the previous version serve (docs/operations.md, "Rolling upgrade").
 */
export async function migrateCommand(config: Config, options: MigrateCommandOptions): Promise<void> {
  const readOnly = Boolean(options.dryRun || options.status);
  // Reading a SQLite store that does not exist would create it: report it as empty instead.
  if (readOnly && !config.databaseUrl && !existsSync(join(config.dataDir, 'mandate.db'))) {
    print({ applied: [], pending: Object.keys(MIGRATIONS).sort(), unknown: [], ran: [] }, options);
    return;
  }
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    print(await migrateToLatest(store.db, store.dialect, MIGRATIONS, { dryRun: readOnly }), options);
  } catch (error) {
    if (error instanceof MigrationError) throw new CliError(`not migrated: ${error.message}`);
    throw error;
  } finally {
    await store.close();
  }
}
