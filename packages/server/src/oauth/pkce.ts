import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 7636 §4.1: a code_verifier is 43–128 unreserved characters; an S256 challenge is 43 base64url characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Only S256 (OAuth 2.1 §7.5.2, the MCP authorization spec): `plain` would hand the verifier to whoever sees the request. */
export const CODE_CHALLENGE_METHODS = ['S256'] as const;

export function isS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge);
}

/** Whether `verifier` hashes to `challenge` (constant-time compare). */
export function verifiesChallenge(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/** The stored form of a code or refresh token: its SHA-256 (high-entropy values, so no salt is needed). */
export function credentialHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}
