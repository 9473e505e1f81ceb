/**
 * The storage face: the database (SQLite or PostgreSQL), the migration runner and the error
 * mapping. It knows no context: each context owns its tables, SQL and migrations.
 */
export {
  describeLocation,
  openStore,
  StoreUnavailableError,
  tablesOf,
  type Db,
  type Dialect,
  type Executor,
  type OpenStoreOptions,
  type Store,
  type Tx,
} from './database.js';
export { isForeignKeyViolation, isUniqueViolation, uniquely } from './errors.js';
export { preparedLookup } from './prepared.js';
export {
  joinMigrations,
  migrateToLatest,
  migrationStatus,
  MigrationError,
  MIGRATION_LOCK_KEY,
  type DialectMigration,
  type MigrateOptions,
  type MigrationReport,
  type MigrationStatus,
  type Migrations,
} from './migrate.js';
export { storageMigrations } from './migrations/index.js';

export { readMeta, replaceMeta, writeMetaOnce, type StorageTables } from './meta.js';
export { postgresInUse, sqliteInUse } from './in-use.js';
export { CHANGE_CHANNEL, CHANGE_TOPICS, LocalNotifier, newReplicaId, openNotifier, type ChangeListener, type ChangeNotifier, type ChangeTopic } from './notifier.js';
export { AdvisoryLeader, LEADER_LOCK_KEY, soleLeader, type LeaderElection, type LeaderState } from './leader.js';
