import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMeta, replaceMeta, writeMetaOnce, type Db, type Executor } from '../storage/index.js';
import { DecryptionError, Envelope } from './envelope.js';
import { deriveKey } from './secrets.js';

export const MASTER_KEY_FILE = 'master-key';
/** `master-key.rekey-<pid>.tmp`: the new key a rekey sets aside until its transaction commits (rekey.ts). */
export const REKEY_TEMPORARY_INFIX = '.rekey-';
const CHECK_KEY = 'master_key_check';
const CHECK_CONTEXT = 'mandate:master-key-check';
const CHECK_PLAINTEXT = 'mandate master key check v1';
const AUDIT_HMAC_KEY = 'audit_hmac_key';
const AUDIT_HMAC_CONTEXT = 'mandate:audit-hmac-key';

export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/** Accepts 32 bytes as base64/base64url (44/43 chars) or hex (64 chars). */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64url');
  if (key.length !== 32) {
    throw new MasterKeyError('MANDATE_MASTER_KEY must be 32 bytes, written as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
  }
  return key;
}

export interface ResolvedMasterKey {
  key: Buffer;
  /** Set when the key was generated on this start: the caller warns once. */
  generatedAt?: string;
}

/**
 * The configured key, else the key file in the data directory, else a new key written
 * there with mode 0600. A generated key on disk next to the data it protects is a
 * development convenience; production sets MANDATE_MASTER_KEY from a secret manager.
 */
export function resolveMasterKey(configured: string | undefined, dataDir: string, configuredFile?: string): ResolvedMasterKey {
  if (configured) {
    try {
      return { key: parseMasterKey(configured) };
    } catch (error) {
      // From MANDATE_MASTER_KEY_FILE (config/load.ts read it): name the file, not the variable.
      if (error instanceof MasterKeyError && configuredFile) throw new MasterKeyError(`the master key file '${configuredFile}' (MANDATE_MASTER_KEY_FILE) does not hold a valid key: 32 bytes as 64 hex digits or base64`);
      throw error;
    }
  }
  const path = join(dataDir, MASTER_KEY_FILE);
  if (existsSync(path)) {
    try {
      return { key: parseMasterKey(readFileSync(path, 'utf8')) };
    } catch (error) {
      // Say which file: the operator set no MANDATE_MASTER_KEY, so that name would mislead.
      if (error instanceof MasterKeyError) throw new MasterKeyError(`the master key file '${path}' does not hold a valid key: 32 bytes as 64 hex digits or base64`);
      throw error;
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, generatedAt: path };
}

/**
 * Makes sure the key opens what this store was sealed with. The first start records a
 * sealed check value; a later start with another key fails here, before anything is
 * read or written with the wrong key.
 */
export async function checkMasterKey(db: Db, envelope: Envelope, dataDir?: string): Promise<void> {
  const sealed = await readMeta(db, CHECK_KEY);
  if (sealed === null) {
    await writeMetaOnce(db, CHECK_KEY, envelope.encrypt(CHECK_PLAINTEXT, CHECK_CONTEXT));
    return;
  }
  try {
    if (envelope.decryptText(sealed, CHECK_CONTEXT) === CHECK_PLAINTEXT) return;
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
  }
  const stranded = dataDir === undefined ? null : strandedRekeyKey(sealed, dataDir);
  if (stranded) {
    throw new MasterKeyError(
      `the master key does not open this data store, but ${stranded} does: a rekey committed and stopped before it could put that key in place; move it over ${join(dataDir!, MASTER_KEY_FILE)} and start again (nothing was changed)`,
    );
  }
  throw new MasterKeyError(
    'the master key does not match the one this data store was created with; start with the original MANDATE_MASTER_KEY (nothing was changed)',
  );
}

/** A key a rekey set aside in `dataDir` (REKEY_TEMPORARY_INFIX) that opens the store's check value, if any. */
function strandedRekeyKey(sealed: string, dataDir: string): string | null {
  let names: string[];
  try {
    names = readdirSync(dataDir).filter((name) => name.startsWith(`${MASTER_KEY_FILE}${REKEY_TEMPORARY_INFIX}`) && name.endsWith('.tmp'));
  } catch {
    return null;
  }
  for (const name of names) {
    const path = join(dataDir, name);
    try {
      if (new Envelope(parseMasterKey(readFileSync(path, 'utf8'))).decryptText(sealed, CHECK_CONTEXT) === CHECK_PLAINTEXT) return path;
    } catch {
      // not a key, or not this store's
    }
  }
  return null;
}

/**
 * The key audit entries HMAC sensitive values with, sealed in `meta` so that it survives a
 * master-key rotation (a key derived from the master key would change every HMAC written so
 * far). A store that has none records the key earlier versions derived, `deriveKey(master,
 * 'audit-hmac')`, so HMACs already in the log keep matching.
 */
export async function auditHmacKey(db: Db, envelope: Envelope, masterKey: Buffer): Promise<Buffer> {
  if ((await readMeta(db, AUDIT_HMAC_KEY)) === null) {
    const derived = deriveKey(masterKey, 'audit-hmac');
    await writeMetaOnce(db, AUDIT_HMAC_KEY, envelope.encrypt(derived, AUDIT_HMAC_CONTEXT));
    derived.fill(0);
  }
  return envelope.decrypt((await readMeta(db, AUDIT_HMAC_KEY))!, AUDIT_HMAC_CONTEXT);
}

/**
 * Master-key rotation of what `meta` holds sealed: the key check value and the audit HMAC key,
 * in the caller's transaction. Throws MasterKeyError when `from` is not the key this store
 * was created with.
 */
export async function rewrapMasterKeyMeta(trx: Executor, from: Envelope, to: Envelope): Promise<number> {
  let moved = 0;
  for (const [key, context] of [
    [CHECK_KEY, CHECK_CONTEXT],
    [AUDIT_HMAC_KEY, AUDIT_HMAC_CONTEXT],
  ] as const) {
    const sealed = await readMeta(trx, key);
    if (sealed === null) continue;
    let rewrapped: string;
    try {
      rewrapped = from.rewrap(sealed, context, to);
    } catch (error) {
      if (error instanceof DecryptionError) throw new MasterKeyError(`the current master key does not open this store's ${key}; nothing was changed`);
      throw error;
    }
    await replaceMeta(trx, key, rewrapped);
    moved += 1;
  }
  return moved;
}
