// Keys for OPA's JWT builtins. A verification key argument is a PEM
// certificate, a PEM public key, a JWK or a JWK set (OPA tries PEM first,
// since valid PEM is never valid JSON). Keys are imported with node:crypto,
// which reads certificates, SPKI and JWK synchronously.

import { X509Certificate, createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { isKnownAlgorithm } from './jwt-algorithms.js';

export class KeyError extends Error {}

export interface PemBlock {
  type: string;
  bytes: Buffer;
  /** Text after the block's END line. */
  rest: string;
}

/**
 * The first PEM block in text, as Go's pem.Decode finds it: BEGIN at the
 * start of a line, optional headers, a base64 body, and a matching END line.
 */
export function decodePem(text: string): PemBlock | null {
  let from = 0;
  for (;;) {
    let start: number;
    if (from === 0 && text.startsWith('-----BEGIN ')) start = 0;
    else {
      const i = text.indexOf('\n-----BEGIN ', from);
      if (i < 0) return null;
      start = i + 1;
    }
    from = start + 1;
    const lineEnd = text.indexOf('\n', start);
    if (lineEnd < 0) return null;
    const typeLine = text.slice(start + '-----BEGIN '.length, lineEnd).replace(/[ \t\r]+$/, '');
    if (!typeLine.endsWith('-----')) continue;
    const type = typeLine.slice(0, -5);
    const endMarker = `-----END ${type}-----`;
    const bodyStart = lineEnd + 1;
    let endIndex: number;
    if (text.startsWith(endMarker, bodyStart)) endIndex = bodyStart;
    else {
      const i = text.indexOf(`\n${endMarker}`, bodyStart);
      if (i < 0) continue;
      endIndex = i + 1;
    }
    const afterMarker = endIndex + endMarker.length;
    const nl = text.indexOf('\n', afterMarker);
    const restOfLine = nl < 0 ? text.slice(afterMarker) : text.slice(afterMarker, nl);
    if (restOfLine.trim() !== '') continue;
    // Drop RFC 1421 headers ("Proc-Type: ..."), then decode the base64 body strictly.
    const lines = text.slice(bodyStart, endIndex).split('\n');
    while (lines.length > 0 && lines[0]!.includes(':')) lines.shift();
    const b64 = lines.join('').replace(/[ \t\r]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) continue;
    return { type, bytes: Buffer.from(b64, 'base64'), rest: nl < 0 ? '' : text.slice(nl + 1) };
  }
}

export interface VerificationKey {
  key: KeyObject;
  alg: string; // '' when the key does not name one
  kid: string;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type Jwk = Record<string, unknown>;

function importJwk(jwk: Jwk, want: 'public' | 'private'): KeyObject {
  if (typeof jwk.kty !== 'string') throw new KeyError('invalid key type from JSON ()');
  if (jwk.kty === 'oct') {
    if (typeof jwk.k !== 'string') throw new KeyError('required field k is missing');
    return createSecretKey(Buffer.from(jwk.k, 'base64url'));
  }
  const input = { key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' as const };
  return want === 'private' && jwk.d !== undefined ? createPrivateKey(input) : createPublicKey(input);
}

/** The JWKs of a JWK or JWK set in JSON text. */
export function parseJwks(text: string): Jwk[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new KeyError(`failed to unmarshal JSON into key (set): ${message(e)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new KeyError('invalid JWK: not an object');
  const obj = parsed as Jwk;
  if (Array.isArray(obj.keys)) return obj.keys as Jwk[];
  return [obj];
}

/** OPA's getKeysFromCertOrJWK: the verification keys in a certificate, public key or JWK (set). */
export function verificationKeys(text: string): VerificationKey[] {
  const block = decodePem(text);
  if (block) {
    if (block.rest.length > 0) throw new KeyError('extra data after a PEM certificate block');
    if (block.type === 'CERTIFICATE') {
      try {
        return [{ key: new X509Certificate(block.bytes).publicKey, alg: '', kid: '' }];
      } catch (e) {
        throw new KeyError(`failed to parse a PEM certificate: ${message(e)}`);
      }
    }
    if (block.type === 'PUBLIC KEY') {
      try {
        return [{ key: createPublicKey({ key: block.bytes, format: 'der', type: 'spki' }), alg: '', kid: '' }];
      } catch (e) {
        throw new KeyError(`failed to parse a PEM public key: ${message(e)}`);
      }
    }
    throw new KeyError('failed to extract a Key from the PEM certificate');
  }
  try {
    const keys: VerificationKey[] = [];
    for (const jwk of parseJwks(text)) {
      const alg = typeof jwk.alg === 'string' ? jwk.alg : '';
      const key = importJwk(jwk, 'public');
      // Keys for algorithms OPA does not know are skipped, not rejected.
      if (alg !== '' && !isKnownAlgorithm(alg)) continue;
      keys.push({ key, alg, kid: typeof jwk.kid === 'string' ? jwk.kid : '' });
    }
    return keys;
  } catch (e) {
    throw new KeyError(`failed to parse a JWK key (set): ${message(e)}`);
  }
}

/** The signing key for io.jwt.encode_sign: the first key of a JWK or JWK set. */
export function signingKey(text: string): KeyObject {
  const jwks = parseJwks(text);
  if (jwks.length === 0) throw new KeyError('no keys found in JWK set');
  try {
    return importJwk(jwks[0]!, 'private');
  } catch (e) {
    throw new KeyError(`failed to parse JWK: ${message(e)}`);
  }
}
