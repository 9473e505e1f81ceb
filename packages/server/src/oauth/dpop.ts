import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, type JWK } from 'jose';
import { isUnstorableText, UNSTORABLE_TEXT } from '../shared/text-guard.js';
import { CLIENT_SIGNING_ALGORITHMS } from './algorithms.js';
import { InvalidDpopProof } from './errors.js';

/**
 * DPoP proof verification (RFC 9449 §4.3), with jose doing every signature check. Kept free
 * of storage and HTTP so the SDK can mirror it: replay detection is a callback.
 */
export interface DpopCheck {
  /** The HTTP method of the request the proof accompanies. */
  method: string;
  /** The request's URL as the client addressed it (query and fragment are ignored). */
  url: string;
  /** When the proof accompanies an access token (resource access): the token, for `ath`. */
  accessToken?: string;
  /** Epoch milliseconds. */
  now: number;
  /** How old the proof's `iat` may be (seconds) and how far either way clocks may differ. */
  maxAgeSeconds: number;
  skewSeconds: number;
  /** Returns false when this `jti` was already used within its window (a replay). */
  markUsed(jti: string, jkt: string, expiresAtMs: number): Promise<boolean>;
}

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's public key: the token's `cnf.jkt`. */
  jkt: string;
  jwk: JWK;
  jti: string;
}

/** Members only private or symmetric keys carry: a proof must embed a public key. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** `htu` comparison per RFC 9449 §4.3 step 9: scheme and host case-insensitively, no query or fragment. */
export function normaliseHtu(url: string): string | null {
  try {
    const parsed = new URL(url);
    // URL lowercases scheme and host and drops default ports; the path stays case-sensitive.
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/** base64url(SHA-256(token)): the `ath` claim binding a proof to an access token. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

export async function verifyDpopProof(proof: string, check: DpopCheck): Promise<VerifiedProof> {
  let header;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw new InvalidDpopProof('the DPoP proof is not a JWS');
  }
  if (header.typ !== 'dpop+jwt') throw new InvalidDpopProof('the DPoP proof must have typ dpop+jwt');
  if (!header.alg || !(CLIENT_SIGNING_ALGORITHMS as readonly string[]).includes(header.alg)) {
    throw new InvalidDpopProof(`the DPoP proof alg '${String(header.alg)}' is not accepted; use one of ${CLIENT_SIGNING_ALGORITHMS.join(', ')}`);
  }
  const jwk = header.jwk;
  if (!jwk || typeof jwk !== 'object') throw new InvalidDpopProof('the DPoP proof must carry its public key in the jwk header');
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) throw new InvalidDpopProof('the DPoP proof jwk must be a public key');

  let payload;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...CLIENT_SIGNING_ALGORITHMS],
      currentDate: new Date(check.now),
      clockTolerance: check.skewSeconds,
    }));
  } catch (error) {
    const reason = error instanceof errors.JOSEError ? error.code : 'invalid';
    throw new InvalidDpopProof(`the DPoP proof does not verify (${reason})`);
  }
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) throw new InvalidDpopProof('the DPoP proof needs a jti of 1 to 256 characters');
  // Stored for replay detection: PostgreSQL text refuses NUL (a 500 otherwise).
  if (isUnstorableText(payload.jti)) throw new InvalidDpopProof(`the DPoP proof jti ${UNSTORABLE_TEXT}`);
  if (payload.htm !== check.method) throw new InvalidDpopProof(`the DPoP proof htm must be ${check.method}`);
  const expected = normaliseHtu(check.url);
  if (typeof payload.htu !== 'string' || normaliseHtu(payload.htu) !== expected) throw new InvalidDpopProof(`the DPoP proof htu must be ${expected}`);
  if (typeof payload.iat !== 'number') throw new InvalidDpopProof('the DPoP proof needs an iat');
  const nowSeconds = check.now / 1000;
  if (payload.iat > nowSeconds + check.skewSeconds) throw new InvalidDpopProof('the DPoP proof iat is in the future');
  if (payload.iat < nowSeconds - check.maxAgeSeconds - check.skewSeconds) throw new InvalidDpopProof('the DPoP proof is too old');
  if (check.accessToken !== undefined) {
    if (payload.ath !== accessTokenHash(check.accessToken)) throw new InvalidDpopProof('the DPoP proof ath does not match the access token');
  }
  const jkt = await calculateJwkThumbprint(jwk as JWK, 'sha256');
  const expiresAtMs = (payload.iat + check.maxAgeSeconds + check.skewSeconds) * 1000;
  if (!(await check.markUsed(payload.jti, jkt, expiresAtMs))) throw new InvalidDpopProof('the DPoP proof was already used (jti replay)');
  return { jkt, jwk: jwk as JWK, jti: payload.jti };
}
