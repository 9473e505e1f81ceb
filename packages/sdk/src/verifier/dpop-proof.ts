import { calculateJwkThumbprint, EmbeddedJWK, errors, jwtVerify, type JWK } from 'jose';
import type { Clock } from '../shared/clock.js';
import { sha256Base64url } from '../shared/encoding.js';
import { htuOf } from '../oauth/dpop.js';
import { TokenVerificationError } from './errors.js';

export interface DpopCheck {
  /** The `DPoP` request header. */
  proof: string;
  /** HTTP method of the request. */
  method: string;
  /** The URL the client addressed (scheme, host and path as the client saw them). */
  url: string;
  accessToken: string;
  /** The token's `cnf.jkt`. */
  jkt: string;
}

export interface DpopVerifierOptions {
  clock: Clock;
  algorithms: string[];
  /** A proof's `iat` may be this old; its `jti` is remembered this long. */
  maxAgeSeconds: number;
  skewSeconds: number;
}

/**
 * Checks DPoP proofs presented with bound access tokens (RFC 9449 §4.3, §7.1): signature by the
 * embedded public key, `htm`, `htu`, fresh `iat`, unused `jti`, `ath` = hash of the token, and
 * the key's thumbprint equal to the token's `cnf.jkt`.
 */
export class DpopProofVerifier {
  /** `<jkt>:<jti>` → when the entry may be forgotten (ms). Keyed per key so one client cannot evict another's. */
  private readonly seen = new Map<string, number>();
  private nextPrune = 0;

  constructor(private readonly options: DpopVerifierOptions) {}

  async verify(check: DpopCheck): Promise<void> {
    const now = this.options.clock.now();
    let payload: Record<string, unknown>;
    let jwk: JWK;
    try {
      const result = await jwtVerify(check.proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: this.options.algorithms,
        currentDate: new Date(now),
        clockTolerance: this.options.skewSeconds,
        maxTokenAge: this.options.maxAgeSeconds,
        requiredClaims: ['iat', 'jti', 'htm', 'htu'],
      });
      payload = result.payload as Record<string, unknown>;
      jwk = result.protectedHeader.jwk as JWK;
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) {
        throw new TokenVerificationError('ERR_DPOP_PROOF_INVALID', (error as Error).message, { cause: error });
      }
      throw error;
    }
    if (typeof payload.htm !== 'string' || payload.htm !== check.method.toUpperCase()) {
      throw new TokenVerificationError('ERR_DPOP_PROOF_INVALID', 'htm does not match the request method');
    }
    if (typeof payload.htu !== 'string' || !sameHtu(payload.htu, check.url)) {
      throw new TokenVerificationError('ERR_DPOP_PROOF_INVALID', 'htu does not match the request URL');
    }
    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) {
      throw new TokenVerificationError('ERR_DPOP_PROOF_INVALID', 'jti is missing or too long');
    }
    if (payload.ath !== (await sha256Base64url(check.accessToken))) {
      throw new TokenVerificationError('ERR_DPOP_PROOF_INVALID', 'ath does not match the access token');
    }
    if ((await calculateJwkThumbprint(jwk)) !== check.jkt) {
      throw new TokenVerificationError('ERR_TOKEN_BINDING_MISMATCH', 'the DPoP key is not the one the token is bound to');
    }
    this.remember(`${check.jkt}:${payload.jti}`, now);
  }

  private remember(key: string, now: number): void {
    if (now >= this.nextPrune) {
      for (const [entry, until] of this.seen) if (until <= now) this.seen.delete(entry);
      this.nextPrune = now + 10_000;
    }
    const until = this.seen.get(key);
    if (until !== undefined && until > now) throw new TokenVerificationError('ERR_DPOP_PROOF_REPLAYED');
    // Long enough to cover every moment the proof's iat is still accepted.
    this.seen.set(key, now + (this.options.maxAgeSeconds + 2 * this.options.skewSeconds) * 1000);
  }
}

function sameHtu(claimed: string, actual: string): boolean {
  try {
    return htuOf(claimed) === htuOf(actual);
  } catch {
    return false;
  }
}
