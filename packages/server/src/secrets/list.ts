import { MAX_LIST, type SecretDeps } from './deps.js';
import { checkPath, SecretNotFoundError } from './errors.js';
import { listPaths, secretByPath, versionsOf } from './store.js';
import type { SecretMetadata } from './types.js';
import { ValidationError } from '../shared/errors.js';

/** Paths under a prefix (none: all), at most `limit`, after `after` (paging). Metadata only. */
export async function listSecrets(deps: SecretDeps, prefix: string, limit: number, after?: string): Promise<string[]> {
  if (prefix.length > 512) throw new ValidationError('prefix is at most 512 characters', { field: 'prefix' });
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw new ValidationError(`limit must be 1-${MAX_LIST}`, { field: 'limit' });
  return (await listPaths(deps.store.db, prefix, after, limit)).map((row) => row.path);
}

/** A path's classification for the decision point (`restricted` when the path does not exist, so probing learns nothing). */
export async function classificationOf(deps: SecretDeps, path: string): Promise<string> {
  return (await secretByPath(deps.store.db, path))?.classification ?? 'restricted';
}

/** A secret's versions and their states (no values). */
export async function secretMetadata(deps: SecretDeps, path: string): Promise<SecretMetadata> {
  checkPath(path);
  const row = await secretByPath(deps.store.db, path);
  if (!row) throw new SecretNotFoundError(path);
  const versions = await versionsOf(deps.store.db, path);
  return {
    path,
    currentVersion: row.current_version,
    classification: row.classification,
    maxVersions: row.max_versions,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    versions: versions.map((v) => ({ version: v.version, createdAt: v.created_at, deletedAt: v.deleted_at, destroyed: v.destroyed_at !== null })),
  };
}
