import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/**
 * A fresh user name: `v_<role>_<random>`, lower-case letters, digits and `_` only (safe inside
 * quotes in any template), at most 63 bytes (PostgreSQL's NAMEDATALEN - 1).
 */
export function newUsername(role: string): string {
  const safeRole = role.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 24);
  return `v_${safeRole}_${randomText(16)}`;
}

/** 32 characters of [a-z0-9] (165 bits), safe inside single quotes. */
export function newPassword(): string {
  return randomText(32);
}
