import { approvalMigrations } from './approvals/index.js';
import { auditMigrations } from './audit/index.js';
import { delegationMigrations } from './delegation/index.js';
import { oauthMigrations } from './oauth/index.js';
import { operatorMigrations } from './operators/index.js';
import { policyMigrations } from './policy/index.js';
import { registryMigrations } from './registry/index.js';
import type { Config } from './config/schema.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { joinMigrations, migrateToLatest, MigrationError, migrationStatus, storageMigrations, type MigrationStatus, type Store } from './storage/index.js';
import { monitoringMigrations } from './monitoring/index.js';
import { secretMigrations } from './secrets/index.js';
import { leaseMigrations } from './leases/index.js';
import { databaseMigrations } from './databases/index.js';
import { taskMigrations } from './tasks/index.js';
import { workloadMigrations } from './workload/index.js';
import { signinMigrations } from './signin/index.js';

/**
 * Every context's migrations, joined by the composition root (storage knows no context).
 * Numbers are reserved per context: 000 storage, 001/007/013/033/034 audit, 002/008 operators, 003/011 registry,
 * 004/010/026/030 oauth, 005 policy, 006/009 approvals, 012/038 delegation, 015/016/027 workload, 018 secrets,
 * 019 leases, 020 databases, 021 tasks, 022–024 monitoring, 028/029 signin; a new context or change takes the next free number.
 */
export const MIGRATIONS = joinMigrations(
  storageMigrations,
  auditMigrations,
  operatorMigrations,
  registryMigrations,
  oauthMigrations,
  policyMigrations,
  approvalMigrations,
  delegationMigrations,
  monitoringMigrations,
  secretMigrations,
  leaseMigrations,
  databaseMigrations,
  taskMigrations,
  workloadMigrations,
  signinMigrations,
);

/**
 * Brings the schema up to this version (under the migration lock: replicas starting at once
 * migrate once), or with `migrateOnStart` off refuses a store that needs it. A store a newer
 * version migrated is served, with a warning naming what this version does not know: migrations
 * only add (docs/operations.md, "Rolling upgrade").
 */
export async function migrateOnStart(store: Store, config: Config, clock: Clock, logger: Logger): Promise<void> {
  let report: MigrationStatus;
  if (config.migrateOnStart) {
    const migrated = await migrateToLatest(store.db, store.dialect, MIGRATIONS, { clock });
    if (migrated.ran.length > 0) logger.info({ migrations: migrated.ran }, 'database migrated');
    report = migrated;
  } else {
    report = await migrationStatus(store.db, MIGRATIONS);
    if (report.pending.length > 0) {
      throw new MigrationError(`the database needs migrations this version brings (${report.pending.join(', ')}) and migrateOnStart is off: run \`mandate server migrate\` first`);
    }
  }
  if (report.unknown.length > 0) {
    logger.warn({ unknown_migrations: report.unknown }, 'the database has migrations a newer version applied; serving on it (they only add), upgrade this replica');
  }
}
