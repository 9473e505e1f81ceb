import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MandateError } from '../shared/errors.js';

/**
 * Envelope encryption (AES-256-GCM): each item gets a fresh data key, the data key is
 * wrapped by the master key, and both layers are authenticated. Rotating the master key
 * then means re-wrapping small data keys, not re-encrypting every item.
 *
 * Sealed form (text, safe in any column): `v1.<wrapIv>.<wrappedKey+tag>.<iv>.<ciphertext+tag>`,
 * each part base64url. `context` is bound as associated data: a sealed value copied to
 * another row or purpose fails to open.
 */
const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends MandateError {
  constructor(message: string) {
    super('decryption_failed', 500, message);
  }
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): [Buffer, Buffer] {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return [iv, body];
}

function open(key: Buffer, iv: Buffer, body: Buffer, aad: Buffer): Buffer {
  if (body.length < TAG_BYTES) throw new DecryptionError('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
}

export class Envelope {
  private readonly masterKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== KEY_BYTES) throw new Error(`master key must be ${KEY_BYTES} bytes, got ${masterKey.length}`);
    this.masterKey = masterKey;
  }

  encrypt(plaintext: Buffer | string, context: string): string {
    const aad = Buffer.from(context, 'utf8');
    const dataKey = randomBytes(KEY_BYTES);
    const [wrapIv, wrapped] = seal(this.masterKey, dataKey, aad);
    const [iv, body] = seal(dataKey, Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, 'utf8'), aad);
    dataKey.fill(0);
    return [VERSION, wrapIv, wrapped, iv, body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  decrypt(sealed: string, context: string): Buffer {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptionError('not a sealed value of a known version');
    const [wrapIv, wrapped, iv, body] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer, Buffer];
    const aad = Buffer.from(context, 'utf8');
    let dataKey: Buffer;
    try {
      dataKey = open(this.masterKey, wrapIv, wrapped, aad);
    } catch (error) {
      if (error instanceof DecryptionError) throw error;
      throw new DecryptionError('the master key or context does not match this value');
    }
    try {
      return open(dataKey, iv, body, aad);
    } catch {
      throw new DecryptionError('sealed value was altered');
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * The same sealed value with its data key wrapped by `to`'s master key instead of this one:
   * the data key is unwrapped and wrapped again, the value's iv and ciphertext are kept byte
   * for byte (master-key rotation re-encrypts no value). Throws DecryptionError, like
   * decrypt, when this master key or the context does not match.
   */
  rewrap(sealed: string, context: string, to: Envelope): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptionError('not a sealed value of a known version');
    const aad = Buffer.from(context, 'utf8');
    let dataKey: Buffer;
    try {
      dataKey = open(this.masterKey, Buffer.from(parts[1]!, 'base64url'), Buffer.from(parts[2]!, 'base64url'), aad);
    } catch (error) {
      if (error instanceof DecryptionError) throw error;
      throw new DecryptionError('the master key or context does not match this value');
    }
    try {
      const [wrapIv, wrapped] = seal(to.masterKey, dataKey, aad);
      return [VERSION, wrapIv.toString('base64url'), wrapped.toString('base64url'), parts[3], parts[4]].join('.');
    } finally {
      dataKey.fill(0);
    }
  }

  decryptText(sealed: string, context: string): string {
    return this.decrypt(sealed, context).toString('utf8');
  }
}
