import { generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';

/**
 * Everything about each signing algorithm in one table (STYLE.md §3, as jose's
 * jws_algorithms): how to generate a key, how node:crypto signs with it, the JWK curve.
 * Tokens are signed synchronously with node:crypto on the hot path (≈ 2.5× jose's async
 * WebCrypto here); every token is cross-verified with jose in the tests.
 */
export interface SigningAlgorithm {
  alg: 'EdDSA' | 'ES256';
  crv: 'Ed25519' | 'P-256';
  generate(): { privateKey: KeyObject; publicKey: KeyObject };
  sign(data: Buffer, key: KeyObject): Buffer;
}

export const SIGNING_ALGORITHMS: Record<SigningAlgorithm['alg'], SigningAlgorithm> = {
  EdDSA: {
    alg: 'EdDSA',
    crv: 'Ed25519',
    generate: () => generateKeyPairSync('ed25519'),
    sign: (data, key) => nodeSign(null, data, key),
  },
  ES256: {
    alg: 'ES256',
    crv: 'P-256',
    generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    // JWS wants the raw r||s form, not DER (RFC 7518 §3.4).
    sign: (data, key) => nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }),
  },
};

/**
 * Algorithms accepted on JWTs that clients sign (private_key_jwt assertions, DPoP proofs).
 * Asymmetric only: `none` and the HS* family are never accepted (a public key is no secret).
 * `Ed25519` is the fully-specified name (RFC 9864) that oauth4webapi uses for EdDSA.
 */
export const CLIENT_SIGNING_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'] as const;

/** What Mandate's own access tokens may be signed with (for verification). */
export const ACCESS_TOKEN_ALGORITHMS = Object.keys(SIGNING_ALGORITHMS) as Array<SigningAlgorithm['alg']>;
