// The JWS algorithms OPA knows, as one table, and signing/verification with
// node:crypto. Builtins are synchronous while jose signs and verifies through
// async WebCrypto, so this uses node:crypto's synchronous sign/verify (the
// cryptography itself is never hand-rolled here).

import { createHmac, sign, timingSafeEqual, verify, constants, type KeyObject } from 'node:crypto';

type Family = 'hmac' | 'rsa' | 'rsa-pss' | 'ecdsa' | 'eddsa';

interface Algorithm {
  family: Family;
  hash: 'sha256' | 'sha384' | 'sha512' | null;
}

export const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  HS256: { family: 'hmac', hash: 'sha256' },
  HS384: { family: 'hmac', hash: 'sha384' },
  HS512: { family: 'hmac', hash: 'sha512' },
  RS256: { family: 'rsa', hash: 'sha256' },
  RS384: { family: 'rsa', hash: 'sha384' },
  RS512: { family: 'rsa', hash: 'sha512' },
  PS256: { family: 'rsa-pss', hash: 'sha256' },
  PS384: { family: 'rsa-pss', hash: 'sha384' },
  PS512: { family: 'rsa-pss', hash: 'sha512' },
  ES256: { family: 'ecdsa', hash: 'sha256' },
  ES384: { family: 'ecdsa', hash: 'sha384' },
  ES512: { family: 'ecdsa', hash: 'sha512' },
  EdDSA: { family: 'eddsa', hash: null },
};

export function isKnownAlgorithm(alg: string): boolean {
  return Object.hasOwn(ALGORITHMS, alg);
}

/** Whether a key can be used with an algorithm family at all. */
function keyFits(family: Family, key: KeyObject): boolean {
  switch (family) {
    case 'hmac': return key.type === 'secret';
    case 'rsa':
    case 'rsa-pss': return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss';
    case 'ecdsa': return key.asymmetricKeyType === 'ec';
    case 'eddsa': return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448';
  }
}

function rsaOptions(family: Family, key: KeyObject) {
  return family === 'rsa-pss'
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : { key, padding: constants.RSA_PKCS1_PADDING };
}

/**
 * Verifies a JWS signature. Unknown algorithms, unsuitable keys and
 * malformed signatures are simply "not verified", as in OPA.
 */
export function verifySignature(alg: string, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const a = ALGORITHMS[alg];
  if (!a || !keyFits(a.family, key)) return false;
  try {
    switch (a.family) {
      case 'hmac': {
        const mac = createHmac(a.hash!, key.export()).update(data).digest();
        return mac.length === signature.length && timingSafeEqual(mac, signature);
      }
      case 'rsa':
        return verify(a.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'rsa-pss':
        // Go's rsa.VerifyPSS with nil options detects the salt length.
        return verify(a.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
      case 'ecdsa':
        return verify(a.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'eddsa':
        return verify(null, data, key, signature);
    }
  } catch {
    return false;
  }
}

export class SigningError extends Error {}

/** Signs the JWS signing input with a private (or secret) key. */
export function signData(alg: string, key: KeyObject, data: Buffer): Buffer {
  const a = ALGORITHMS[alg];
  if (!a) throw new SigningError(`unknown JWS algorithm: ${alg}`);
  if (!keyFits(a.family, key) || (a.family !== 'hmac' && key.type !== 'private')) {
    throw new SigningError(`failed to sign payload: invalid key for algorithm ${alg}`);
  }
  switch (a.family) {
    case 'hmac':
      return createHmac(a.hash!, key.export()).update(data).digest();
    case 'rsa':
    case 'rsa-pss':
      return sign(a.hash, data, rsaOptions(a.family, key));
    case 'ecdsa':
      return sign(a.hash, data, { key, dsaEncoding: 'ieee-p1363' });
    case 'eddsa':
      return sign(null, data, key);
  }
}
