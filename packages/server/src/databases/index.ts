/**
 * The database engine's face (dynamic PostgreSQL credentials, in the manner of Vault's
 * database secrets engine): `createDatabases` builds the `DatabaseEngine` for the composition
 * root and registers its lease engine with the lease manager; connections keep a sealed root
 * credential that Mandate rotates (on demand and every 24 h by default); roles carry creation
 * and revocation SQL templates ({{name}} {{password}} {{expiration}}); credentials are issued
 * under a lease (default 60 s) with VALID UNTIL as a second guard. Tables, SQL, target pools
 * and templates stay inside.
 */
export { createDatabases, type DatabasesSetup } from './setup.js';
export { DatabaseEngine } from './service.js';
export type { TaskCheck } from './deps.js';
export type { ConnectionSpec } from './connection.js';
export type { RoleSpec } from './role.js';
export type { CredentialRequest, IssuedCredentials } from './issue.js';
export type { ConnectionView, RoleView } from './view.js';
export { TargetDatabaseError } from './errors.js';
export { databaseMigrations } from './migrations/index.js';
export { rewrapConnections } from './rewrap.js';
