import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ValidationError } from '../shared/errors.js';

/**
 * An agent's public JWK Set for `private_key_jwt` client authentication (RFC 7523). Only
 * public signing keys of the algorithms below are accepted: a private or symmetric key
 * here would mean the agent's secret sits in the registry, which defeats the method.
 */
export const SUPPORTED_JWK_TYPES = {
  RSA: { algs: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'], curves: null, minRsaBits: 2048 },
  EC: { algs: ['ES256', 'ES384', 'ES512'], curves: { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }, minRsaBits: 0 },
  OKP: { algs: ['EdDSA', 'Ed25519'], curves: { Ed25519: 'EdDSA' }, minRsaBits: 0 },
} as const satisfies Record<string, { algs: readonly string[]; curves: Record<string, string> | null; minRsaBits: number }>;

/** Members that only private or symmetric keys carry (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Members kept when storing a key; anything else is dropped. */
const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'key_ops', 'crv', 'x', 'y', 'n', 'e', 'x5c', 'x5t', 'x5t#S256'] as const;

export const MAX_JWKS_KEYS = 10;

export interface PublicJwk {
  kty: string;
  kid?: string;
  use?: string;
  alg?: string;
  [member: string]: unknown;
}

export interface PublicJwks {
  keys: PublicJwk[];
}

function refuse(message: string, index?: number): never {
  throw new ValidationError(index === undefined ? `jwks: ${message}` : `jwks.keys[${index}]: ${message}`, { field: 'jwks' });
}

function checkKey(raw: unknown, index: number): PublicJwk {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) refuse('must be a JWK object', index);
  const key = raw as Record<string, unknown>;
  const present = PRIVATE_MEMBERS.filter((member) => member in key);
  if (present.length > 0) refuse(`contains private key material (${present.join(', ')}); register public keys only`, index);
  const kty = key.kty;
  if (typeof kty !== 'string' || !(kty in SUPPORTED_JWK_TYPES)) {
    refuse(`kty must be one of ${Object.keys(SUPPORTED_JWK_TYPES).join(', ')} (got ${JSON.stringify(kty)})`, index);
  }
  const rules = SUPPORTED_JWK_TYPES[kty as keyof typeof SUPPORTED_JWK_TYPES];
  if (key.use !== undefined && key.use !== 'sig') refuse(`use must be "sig" (got ${JSON.stringify(key.use)})`, index);
  if (key.key_ops !== undefined) {
    if (!Array.isArray(key.key_ops) || key.key_ops.some((op) => op !== 'verify')) refuse('key_ops may only contain "verify"', index);
  }
  if (key.kid !== undefined && (typeof key.kid !== 'string' || key.kid.length === 0 || key.kid.length > 256)) refuse('kid must be a non-empty string of at most 256 characters', index);
  if (rules.curves) {
    const curves = rules.curves as Record<string, string>;
    if (typeof key.crv !== 'string' || !(key.crv in curves)) refuse(`crv must be one of ${Object.keys(curves).join(', ')} for kty ${kty}`, index);
  }
  if (key.alg !== undefined) {
    if (typeof key.alg !== 'string' || !(rules.algs as readonly string[]).includes(key.alg)) {
      refuse(`alg must be one of ${rules.algs.join(', ')} for kty ${kty} (got ${JSON.stringify(key.alg)})`, index);
    }
    const curves = rules.curves as Record<string, string> | null;
    if (kty === 'EC' && curves && curves[key.crv as string] !== key.alg) refuse(`alg ${key.alg} does not match crv ${String(key.crv)}`, index);
  }
  const kept: Record<string, unknown> = {};
  for (const member of PUBLIC_MEMBERS) if (key[member] !== undefined) kept[member] = key[member];
  let parsed: KeyObject;
  try {
    parsed = createPublicKey({ key: kept as JsonWebKey, format: 'jwk' });
  } catch (error) {
    refuse(`is not a valid ${kty} public key (${(error as Error).message})`, index);
  }
  if (kty === 'RSA') {
    const bits = parsed.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < rules.minRsaBits) refuse(`RSA keys need at least ${rules.minRsaBits} bits (got ${bits})`, index);
  }
  return kept as PublicJwk;
}

/** Validates a JWK Set and returns it with only public members; throws ValidationError naming the bad key. */
export function validatePublicJwks(value: unknown): PublicJwks {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse('must be a JWK Set object {"keys": [...]}');
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) refuse('must have a "keys" array');
  if (keys.length === 0) refuse('must contain at least one key');
  if (keys.length > MAX_JWKS_KEYS) refuse(`may contain at most ${MAX_JWKS_KEYS} keys`);
  const checked = keys.map((key, index) => checkKey(key, index));
  if (checked.length > 1) {
    const kids = checked.map((k) => k.kid);
    if (kids.some((kid) => kid === undefined)) refuse('every key needs a kid when the set holds more than one key');
    if (new Set(kids).size !== kids.length) refuse('kid values must be unique');
  }
  return { keys: checked };
}
