import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { epochSeconds } from '../shared/clock.js';
import { randomId, sha256Base64url } from '../shared/encoding.js';

/** The algorithms the SDK signs DPoP proofs with; ES256 is the one every server must accept. */
export const DPOP_SIGNING_ALGORITHMS = ['ES256', 'EdDSA', 'ES384', 'PS256', 'RS256'] as const;
export type DpopAlgorithm = (typeof DPOP_SIGNING_ALGORITHMS)[number];

/** A DPoP key pair ready to sign proofs: the public JWK goes in every proof's header. */
export interface DpopKey {
  alg: DpopAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key: the `cnf.jkt` of tokens bound to it. */
  thumbprint: string;
}

/** Generates a fresh, non-extractable DPoP key pair. */
export async function generateDpopKey(alg: DpopAlgorithm = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: false });
  return dpopKeyFrom({ privateKey, publicKey }, alg);
}

/** Wraps an existing key pair (e.g. loaded from a key store) for proof signing. */
export async function dpopKeyFrom(pair: { privateKey: CryptoKey; publicKey: CryptoKey }, alg: DpopAlgorithm): Promise<DpopKey> {
  const exported = await exportJWK(pair.publicKey);
  // Only the public members belong in the proof header (RFC 9449 §4.2).
  const { kty, crv, x, y, n, e } = exported;
  const publicJwk: JWK = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined));
  return { alg, privateKey: pair.privateKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

/** RFC 9449 §4.2: `htu` is the target URI without query and fragment. */
export function htuOf(url: string | URL): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export interface ProofInput {
  method: string;
  url: string | URL;
  /** The access token the proof accompanies (adds `ath`); absent at the token endpoint. */
  accessToken?: string;
  /** A server-provided nonce (`DPoP-Nonce`), when the server asked for one. */
  nonce?: string;
  /** Milliseconds since the epoch. */
  now: number;
}

/** Signs one DPoP proof JWT; each carries a fresh `jti` so servers can detect replays. */
export async function createDpopProof(key: DpopKey, input: ProofInput): Promise<string> {
  const payload: Record<string, unknown> = {
    htm: input.method.toUpperCase(),
    htu: htuOf(input.url),
    iat: epochSeconds(input.now),
    jti: randomId(),
  };
  if (input.accessToken !== undefined) payload.ath = await sha256Base64url(input.accessToken);
  if (input.nonce !== undefined) payload.nonce = input.nonce;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk }).sign(key.privateKey);
}
