import type { AuditLog } from '../audit/index.js';
import type { Envelope } from '../crypto/index.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../storage/index.js';
import { changeVersions, type DeleteMode } from './delete.js';
import type { SecretActor, SecretDeps, SecretSettings } from './deps.js';
import { classificationOf, listSecrets, secretMetadata } from './list.js';
import { readSecret } from './read.js';
import { rewrapDataKeys } from './rewrap.js';
import type { SecretData, SecretMetadata, SecretVersion } from './types.js';
import { writeSecret, type WriteOptions } from './write.js';

export interface SecretStoreOptions {
  store: Store;
  audit: AuditLog;
  envelope: Envelope;
  clock: Clock;
  settings: SecretSettings;
}

/** The secret store's API; each call is one use case in its own file. Authorisation is the caller's (the HTTP plugin). */
export class SecretStore {
  private readonly deps: SecretDeps;

  constructor(options: SecretStoreOptions) {
    this.deps = { ...options };
  }

  write(path: string, data: SecretData, actor: SecretActor, options?: WriteOptions): Promise<{ version: number; createdAt: string }> {
    return writeSecret(this.deps, path, data, actor, options);
  }

  read(path: string, actor: SecretActor, version?: number): Promise<SecretVersion> {
    return readSecret(this.deps, path, actor, version);
  }

  list(prefix: string, limit: number, after?: string): Promise<string[]> {
    return listSecrets(this.deps, prefix, limit, after);
  }

  classification(path: string): Promise<string> {
    return classificationOf(this.deps, path);
  }

  metadata(path: string): Promise<SecretMetadata> {
    return secretMetadata(this.deps, path);
  }

  change(path: string, mode: DeleteMode, actor: SecretActor, versions?: readonly number[]): Promise<number[]> {
    return changeVersions(this.deps, path, mode, actor, versions);
  }

  /** Master-key rotation: re-seals every data key under `to` (values untouched). */
  rewrap(from: Envelope, to: Envelope): Promise<number> {
    return this.deps.store.db.transaction().execute((trx) => rewrapDataKeys(trx, from, to));
  }
}
