import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, Envelope } from './envelope.js';
import { hashSecret, hmacValue, verifySecret, deriveKey } from './secrets.js';
import { parseMasterKey } from './master-key.js';

describe('Envelope', () => {
  const envelope = new Envelope(randomBytes(32));

  it('round-trips and uses a fresh data key each time', () => {
    const a = envelope.encrypt('top secret', 'ctx');
    const b = envelope.encrypt('top secret', 'ctx');
    expect(a).not.toBe(b);
    expect(envelope.decryptText(a, 'ctx')).toBe('top secret');
  });

  it('refuses another master key, another context and altered bytes', () => {
    const sealed = envelope.encrypt('value', 'ctx');
    expect(() => new Envelope(randomBytes(32)).decrypt(sealed, 'ctx')).toThrow(DecryptionError);
    expect(() => envelope.decrypt(sealed, 'other')).toThrow(DecryptionError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => envelope.decrypt(parts.join('.'), 'ctx')).toThrow(/altered/);
    expect(() => envelope.decrypt('garbage', 'ctx')).toThrow(/known version/);
  });
});

describe('secrets', () => {
  it('verifies a secret against its hash and nothing else', () => {
    const stored = hashSecret('s3cret');
    expect(stored).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(verifySecret('s3cret', stored)).toBe(true);
    expect(verifySecret('s3creT', stored)).toBe(false);
  });

  it('HMACs audit values with a derived key', () => {
    const key = deriveKey(randomBytes(32), 'audit');
    expect(hmacValue(key, 'x')).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(hmacValue(key, 'x')).toBe(hmacValue(key, 'x'));
    expect(hmacValue(key, 'x')).not.toBe(hmacValue(key, 'y'));
  });

  it('parses master keys as hex or base64 and rejects other lengths', () => {
    const key = randomBytes(32);
    expect(parseMasterKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseMasterKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseMasterKey('short')).toThrow(/32 bytes/);
  });

  it('rewraps a value for another master key: the data key moves, the ciphertext stays byte for byte', () => {
    const envelope = new Envelope(randomBytes(32));
    const next = new Envelope(randomBytes(32));
    const sealed = envelope.encrypt('value', 'ctx');
    const moved = envelope.rewrap(sealed, 'ctx', next);
    expect(moved.split('.').slice(3)).toEqual(sealed.split('.').slice(3));
    expect(moved.split('.')[2]).not.toBe(sealed.split('.')[2]);
    expect(next.decryptText(moved, 'ctx')).toBe('value');
    expect(() => envelope.decrypt(moved, 'ctx')).toThrow(DecryptionError);
    expect(() => envelope.rewrap(sealed, 'other', next)).toThrow(DecryptionError);
    expect(() => next.rewrap(sealed, 'ctx', envelope)).toThrow(DecryptionError);
  });
});
