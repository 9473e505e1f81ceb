import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Envelope } from '../crypto/index.js';
import { MandateError } from '../shared/errors.js';

/**
 * The secret store's two layers: each secret path has its own AES-256 data key, sealed by the
 * master key (crypto's Envelope, bound to the path); each version's value is encrypted with
 * that data key, bound to `<path>#<version>` as associated data (a ciphertext copied to another
 * path or version fails to open). Rotating the master key re-seals the data keys only: no value
 * is re-encrypted (rewrap.ts).
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretIntegrityError extends MandateError {
  constructor(path: string) {
    super('secret_integrity', 500, `the stored value of '${path}' does not open with its data key`);
  }
}

export const keyContext = (path: string) => `secret-key:${path}`;

export function newDataKey(envelope: Envelope, path: string): string {
  const key = randomBytes(32);
  try {
    return envelope.encrypt(key, keyContext(path));
  } finally {
    key.fill(0);
  }
}

/** Runs `work` with the path's data key unwrapped, and wipes the key after. */
export function withDataKey<T>(envelope: Envelope, path: string, wrapped: string, work: (key: Buffer) => T): T {
  const key = envelope.decrypt(wrapped, keyContext(path));
  try {
    return work(key);
  } finally {
    key.fill(0);
  }
}

export function encryptValue(key: Buffer, path: string, version: number, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${path}#${version}`, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${iv.toString('base64url')}.${body.toString('base64url')}`;
}

export function decryptValue(key: Buffer, path: string, version: number, sealed: string): string {
  const [ivText, bodyText] = sealed.split('.');
  const iv = Buffer.from(ivText ?? '', 'base64url');
  const body = Buffer.from(bodyText ?? '', 'base64url');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SecretIntegrityError(path);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(`${path}#${version}`, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretIntegrityError(path);
  }
}
