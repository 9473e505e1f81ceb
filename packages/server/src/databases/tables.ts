import { tablesOf, type Executor } from '../storage/index.js';

/** A target database Mandate issues credentials for. */
export interface DbConnectionRow {
  name: string;
  /** `postgresql` (the one engine so far). */
  plugin: string;
  /** The root connection URL with its password, sealed with the master key (context `db-connection:<name>`). */
  sealed_url: string;
  /**
   * A root rotation under way: the new URL, sealed like `sealed_url`, stored before the target's
   * password changes and promoted (or dropped) after; null otherwise (rotate-root.ts).
   */
  pending_sealed_url: string | null;
  /** When the pending URL was stored: only one older than a rotation takes is dropped as never applied. */
  pending_since: string | null;
  /** The root user's name (shown; its password never is). */
  username: string;
  /** How often the root password is rotated (0: never). */
  rotation_period_seconds: number;
  root_rotated_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A role: how credentials are created and revoked on a connection, and for how long they live. */
export interface DbRoleRow {
  connection: string;
  name: string;
  /** JSON array of SQL statements with {{name}}, {{password}}, {{expiration}}; run in one transaction. */
  creation_statements: string;
  /** JSON array of SQL statements with {{name}}, run one by one; null: the default sequence. */
  revocation_statements: string | null;
  default_ttl: number;
  max_ttl: number;
  /** Data classification of what the role reaches: agents whose ceiling is below it are denied by the default policy. */
  classification: string;
  created_at: string;
  updated_at: string;
}

export interface DatabaseTables {
  db_connections: DbConnectionRow;
  db_roles: DbRoleRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const databaseTables = (executor: Executor) => tablesOf<DatabaseTables>(executor);
