import { createHmac, hash as oneShotHash, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Hash of a high-entropy secret (client secrets, operator tokens: 256 random bits). A fast
 * hash is enough for such secrets: a slow KDF protects guessable passwords, and none is
 * accepted here. Stored as `sha256:<hex>`.
 */
export function hashSecret(secret: string): string {
  // One call, no Hash object: this runs for every client authentication the agent cache misses.
  return `sha256:${oneShotHash('sha256', secret, 'hex')}`;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function verifySecret(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'utf8');
  const stored = Buffer.from(storedHash, 'utf8');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A purpose-specific key derived from the master key (HKDF-SHA256), e.g. for audit HMACs. */
export function deriveKey(masterKey: Buffer, purpose: string, bytes = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `mandate:${purpose}`, bytes));
}

/** Vault-style HMAC of a sensitive value for audit entries: `hmac-sha256:<hex>`. */
export function hmacValue(key: Buffer, value: string): string {
  return `hmac-sha256:${createHmac('sha256', key).update(value, 'utf8').digest('hex')}`;
}
