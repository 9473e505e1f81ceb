import { describe, expect, it } from 'vitest';
import { CLIENT_SECRET_PREFIX, matchesClientSecret, newClientSecret } from './credentials.js';

describe('client secrets', () => {
  it('are 256-bit, prefixed, and stored only as a hash', () => {
    const { secret, hash } = newClientSecret();
    expect(secret.startsWith(CLIENT_SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(secret.slice(CLIENT_SECRET_PREFIX.length), 'base64url').length).toBe(32);
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret);
    expect(newClientSecret().secret).not.toBe(secret);
  });

  it('match the current secret, or the previous one only before it expires', () => {
    const current = newClientSecret();
    const previous = newClientSecret();
    const stored = { currentHash: current.hash, previousHash: previous.hash, previousExpiresAt: '2026-01-01T01:00:00.000Z' };
    expect(matchesClientSecret(current.secret, stored, '2026-01-01T00:00:00.000Z')).toBe(true);
    expect(matchesClientSecret(previous.secret, stored, '2026-01-01T00:59:59.999Z')).toBe(true);
    expect(matchesClientSecret(previous.secret, stored, '2026-01-01T01:00:00.000Z')).toBe(false);
    expect(matchesClientSecret(current.secret, stored, '2030-01-01T00:00:00.000Z')).toBe(true);
    expect(matchesClientSecret('mcs_wrong', stored, '2026-01-01T00:00:00.000Z')).toBe(false);
    expect(matchesClientSecret(current.secret, null, '2026-01-01T00:00:00.000Z')).toBe(false);
    // Decommissioned: both slots empty, nothing matches, not even the unmatchable placeholder's preimage.
    expect(matchesClientSecret('', { currentHash: null, previousHash: null, previousExpiresAt: null }, '2026-01-01T00:00:00.000Z')).toBe(false);
  });
});
