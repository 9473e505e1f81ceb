/**
 * The secret store's face: key/value secrets under paths, with versions (10 kept by default),
 * check-and-set writes, soft delete, undelete and destroy. Envelope encryption: each path has
 * its own data key sealed by the master key, and `rewrap` moves the data keys to a new master
 * key without re-encrypting a value. Every read and write is audited with its path and version,
 * never its value. Who may read is decided by the caller (the HTTP plugin: operators by role,
 * agents by the policy decision point). The tables, their SQL and the cipher stay inside.
 */
export { SecretStore, type SecretStoreOptions } from './service.js';
export type { SecretSettings } from './deps.js';
export { PATH_MAX_LENGTH, MAX_LIST } from './deps.js';
export type { DeleteMode } from './delete.js';
export type { SecretData, SecretMetadata, SecretVersion, VersionInfo } from './types.js';
export { CasMismatchError, SecretNotFoundError } from './errors.js';
export { secretMigrations } from './migrations/index.js';
export { rewrapDataKeys as rewrapSecrets } from './rewrap.js';
