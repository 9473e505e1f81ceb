import { randomBytes } from 'node:crypto';

/** Random, URL-safe identifier with a readable prefix, e.g. `apr_3kT9...`. */
export function randomId(prefix: string, bytes = 16): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** A high-entropy secret (256 bits), URL-safe. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
