import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AuditKeyring, AuditLog, rewrapAuditKeys } from './audit/index.js';
import type { Config } from './config/schema.js';
import { auditHmacKey, checkMasterKey, Envelope, MASTER_KEY_FILE, MasterKeyError, parseMasterKey, REKEY_TEMPORARY_INFIX, rewrapMasterKeyMeta } from './crypto/index.js';
import { rewrapConnections } from './databases/index.js';
import { rewrapLeases } from './leases/index.js';
import { MIGRATIONS } from './migrations.js';
import { rewrapSigningKeys } from './oauth/index.js';
import { rewrapSecrets } from './secrets/index.js';
import { systemClock, type Clock } from './shared/clock.js';
import { syncDirectorySync } from './shared/sync-directory.js';
import { migrateToLatest, openStore, postgresInUse, sqliteInUse, type Executor } from './storage/index.js';
import { rewrapAuthorityKeys } from './workload/index.js';

/**
 * Offline master-key rotation (`mandate server rekey`), a composition root beside runtime.ts:
 * every context that seals with the master key moves its data keys to the new key through its
 * own face, all in ONE transaction with the key check value, the audit HMAC key and the audit
 * entry `master_key.rotated`. A failure anywhere leaves everything under the old key. Run it
 * with every replica stopped: a running server keeps the old key in memory (docs/secrets.md,
 * "Master-key rotation").
 */

/** Each sealed thing, in the order rewrapped; the counts are what the audit entry records. */
const STEPS: ReadonlyArray<readonly [string, (trx: Executor, from: Envelope, to: Envelope) => Promise<number>]> = [
  ['meta', rewrapMasterKeyMeta],
  ['secrets', rewrapSecrets],
  ['oauth_signing_keys', rewrapSigningKeys],
  ['audit_keys', rewrapAuditKeys],
  ['workload_ca_keys', rewrapAuthorityKeys],
  ['leases', rewrapLeases],
  ['db_connections', rewrapConnections],
];

export interface RekeyOptions {
  clock?: Clock;
  /** Tests only: called after each step inside the transaction (a throw there must roll all back). */
  afterStep?: (step: string) => void;
}

export interface RekeyResult {
  /** How many sealed values each step moved. */
  counts: Record<string, number>;
  /** The key file now holding the new key, or null when the old key came from MANDATE_MASTER_KEY. */
  keyFile: string | null;
}

/** Where the server would take the current key from; unlike the server, never generates one. */
function currentKey(config: Config): { key: Buffer; file: string | null } {
  if (config.masterKey) return { key: parseMasterKey(config.masterKey), file: null };
  const file = join(config.dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) throw new MasterKeyError(`no master key: MANDATE_MASTER_KEY is not set and '${file}' does not exist; nothing to rotate`);
  return { key: parseMasterKey(readKeyFile(file)), file };
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new MasterKeyError(`cannot read the master key file '${file}': ${(error as Error).message}`);
  }
}

/**
 * The new key set aside next to the old file (mode 0600, O_EXCL) before the transaction, so a
 * full disk or a read-only directory stops the rotation before anything changed; renamed over
 * the old file once the transaction committed. Its directory is synced after each step, so a
 * crash after the commit finds the new key on disk, under one name or the other (and the server's
 * start names a set-aside key that opens the store: `strandedRekeyKey`).
 */
function prepareKeyFile(file: string, key: Buffer): { path: string; commit(): void; abandon(): void } {
  const temporary = `${file}${REKEY_TEMPORARY_INFIX}${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('base64url')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDirectorySync(dirname(file));
  return {
    path: temporary,
    commit: () => {
      renameSync(temporary, file);
      syncDirectorySync(dirname(file));
    },
    abandon: () => {
      try {
        unlinkSync(temporary);
      } catch {
        // already gone
      }
    },
  };
}

/** A server still running would keep the old key in memory: stop before touching anything. */
function refuseIfInUse(reason: string | null): void {
  if (reason) throw new MasterKeyError(`${reason}; stop every Mandate server using this store, then run rekey again (nothing was changed)`);
}

export async function rekey(config: Config, newKey: Buffer, options: RekeyOptions = {}): Promise<RekeyResult> {
  const clock = options.clock ?? systemClock;
  const current = currentKey(config);
  if (current.key.equals(newKey)) throw new MasterKeyError('the new master key is the current one; nothing to rotate');
  const from = new Envelope(current.key);
  const to = new Envelope(newKey);
  // Opening SQLite would create an empty store: refuse first, and before the WAL check sees our own connection.
  if (!config.databaseUrl && !existsSync(join(config.dataDir, 'mandate.db'))) throw new MasterKeyError(`no store in ${config.dataDir}; nothing to rotate`);
  if (!config.databaseUrl) refuseIfInUse(sqliteInUse(config.dataDir));
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let keyFile: ReturnType<typeof prepareKeyFile> | null = null;
  let committed = false;
  try {
    if (config.databaseUrl) refuseIfInUse(await postgresInUse(store.db));
    keyFile = current.file ? prepareKeyFile(current.file, newKey) : null;
    const tables = await store.db.introspection.getTables();
    if (!tables.some((t) => t.name === 'meta')) throw new MasterKeyError('this data store has never been started; start the server once with the key you want instead');
    // As at the server's start: the key is checked before migrations, so a wrong key changes nothing.
    await checkMasterKey(store.db, from);
    await migrateToLatest(store.db, store.dialect, MIGRATIONS);
    const hmacKey = await auditHmacKey(store.db, from, current.key);
    const signer = await AuditKeyring.open(store.db, from, clock);
    const audit = new AuditLog({ store, clock, hmacKey, signer });
    const counts: Record<string, number> = {};
    await store.db.transaction().execute(async (trx) => {
      for (const [name, step] of STEPS) {
        counts[name] = await step(trx, from, to);
        options.afterStep?.(name);
      }
      await audit.appendIn(trx, [
        {
          type: 'master_key.rotated',
          actor: { kind: 'system', id: 'mandate-server-rekey' },
          action: 'rotate',
          outcome: 'success',
          details: { rewrapped: counts, key_source: current.file ? 'file' : config.masterKeyFile ? 'MANDATE_MASTER_KEY_FILE' : 'MANDATE_MASTER_KEY' },
        },
      ]);
    });
    committed = true;
    keyFile?.commit();
    return { counts, keyFile: current.file };
  } catch (error) {
    // After the commit the prepared file is the only copy of the key besides the operator's: keep it.
    if (!committed) keyFile?.abandon();
    else if (keyFile) throw new MasterKeyError(`the store is now under the new key, but ${current.file} could not be replaced (${(error as Error).message}); the new key is in ${keyFile.path}: move it there before starting`);
    throw error;
  } finally {
    await store.close();
  }
}
