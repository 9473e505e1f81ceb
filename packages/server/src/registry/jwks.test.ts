import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.js';
import { validatePublicJwks } from './jwks.js';

function jwk(type: 'ed25519' | 'ec' | 'rsa', bits = 2048) {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: bits });
  return { pub: pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>, priv: pair.privateKey.export({ format: 'jwk' }) as Record<string, unknown> };
}

describe('public JWK Sets', () => {
  it('accept public Ed25519, EC and RSA signing keys and keep only public members', () => {
    const ed = jwk('ed25519');
    const ec = jwk('ec');
    const rsa = jwk('rsa');
    const set = validatePublicJwks({
      keys: [
        { ...ed.pub, kid: 'a', alg: 'EdDSA', use: 'sig', extra: 'dropped' },
        { ...ec.pub, kid: 'b', alg: 'ES256' },
        { ...rsa.pub, kid: 'c', alg: 'PS256' },
      ],
    });
    expect(set.keys).toHaveLength(3);
    expect(set.keys[0]).toEqual({ ...ed.pub, kid: 'a', alg: 'EdDSA', use: 'sig' });
  });

  it('refuse private key material, symmetric keys and unsupported types', () => {
    expect(() => validatePublicJwks({ keys: [jwk('ed25519').priv] })).toThrow(/private key material \(d\)/);
    expect(() => validatePublicJwks({ keys: [jwk('rsa').priv] })).toThrow(/private key material \(d, p, q, dp, dq, qi\)/);
    expect(() => validatePublicJwks({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })).toThrow(/private key material \(k\)/);
    expect(() => validatePublicJwks({ keys: [{ kty: 'oct' }] })).toThrow(/kty must be one of RSA, EC, OKP/);
    expect(() => validatePublicJwks({ keys: [{ kty: 'OKP', crv: 'X25519', x: 'AAAA' }] })).toThrow(/crv must be one of Ed25519/);
  });

  it('refuse weak, malformed, mismatched or ambiguous keys', () => {
    expect(() => validatePublicJwks({ keys: [jwk('rsa', 1024).pub] })).toThrow(/at least 2048 bits/);
    expect(() => validatePublicJwks({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] })).toThrow(/not a valid EC public key/);
    expect(() => validatePublicJwks({ keys: [{ ...jwk('ec').pub, alg: 'ES384' }] })).toThrow(/does not match crv/);
    expect(() => validatePublicJwks({ keys: [{ ...jwk('ec').pub, alg: 'RS256' }] })).toThrow(/alg must be one of ES256/);
    expect(() => validatePublicJwks({ keys: [{ ...jwk('ec').pub, use: 'enc' }] })).toThrow(/use must be "sig"/);
    expect(() => validatePublicJwks({ keys: [jwk('ec').pub, jwk('ec').pub] })).toThrow(/every key needs a kid/);
    expect(() => validatePublicJwks({ keys: [{ ...jwk('ec').pub, kid: 'x' }, { ...jwk('ec').pub, kid: 'x' }] })).toThrow(/unique/);
    expect(() => validatePublicJwks({ keys: [] })).toThrow(ValidationError);
    expect(() => validatePublicJwks([])).toThrow(/JWK Set object/);
  });
});
