import type { ProofOfPossession, RequestContext } from '../identity/index.js';
import type { Clock } from '../shared/clock.js';
import type { Config } from '../config/schema.js';
import { verifyDpopProof } from './dpop.js';
import { InvalidDpopProof, OAuthError } from './errors.js';
import type { SeenJtis } from './replay.js';

export interface DpopProofsOptions {
  issuer: string;
  tokenEndpoint: string;
  settings: Config['oauth'];
  clock: Clock;
  seen: SeenJtis;
}

/**
 * DPoP proofs (RFC 9449) where Mandate receives them: at the token endpoint (the key a new
 * token is bound to) and with a bound token on /v1 (identity's proof of possession). A proof's
 * `jti` is spent in the database, so a replay fails on every replica.
 */
export class DpopProofs implements ProofOfPossession {
  constructor(private readonly options: DpopProofsOptions) {}

  /** The thumbprint of the key of the token endpoint request's proof; InvalidDpopProof when it is not valid. */
  async forTokenRequest(header: string | string[], now: number): Promise<string> {
    if (Array.isArray(header)) throw new InvalidDpopProof('send exactly one DPoP header');
    return this.verify(header, 'POST', this.options.tokenEndpoint, undefined, now);
  }

  /** identity's port: the proof of a /v1 request that presents `token`, or null. */
  async keyOf(request: RequestContext, token: string): Promise<string | null> {
    const header = request.headers.dpop;
    if (typeof header !== 'string') return null;
    try {
      return await this.verify(header, request.method, `${this.options.issuer}${request.url}`, token, this.options.clock.now());
    } catch (error) {
      if (error instanceof OAuthError) return null;
      throw error;
    }
  }

  private async verify(header: string, method: string, url: string, accessToken: string | undefined, now: number): Promise<string> {
    const { settings, seen } = this.options;
    const proof = await verifyDpopProof(header, {
      method,
      url,
      ...(accessToken === undefined ? {} : { accessToken }),
      now,
      maxAgeSeconds: settings.dpopProofMaxAgeSeconds,
      skewSeconds: settings.clockSkewSeconds,
      markUsed: (jti, jkt, expiresAtMs) => seen.use(`dpop:${jkt}:${jti}`, expiresAtMs),
    });
    return proof.jkt;
  }
}
