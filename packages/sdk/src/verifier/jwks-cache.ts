import { importJWK, type CryptoKey, type JWK, type JWSHeaderParameters } from 'jose';
import type { Clock } from '../shared/clock.js';
import { requireJsonObject, send, type FetchLike } from '../shared/http.js';
import { MandateSdkError } from '../shared/errors.js';
import { TokenVerificationError } from './errors.js';

interface CachedKey {
  alg: string | undefined;
  key: CryptoKey | Uint8Array;
}

export interface JwksCacheOptions {
  jwksUri: () => Promise<string>;
  fetch: FetchLike;
  clock: Clock;
  /** Least time between two fetches caused by unknown `kid`s: a flood of forged kids costs one fetch per interval. */
  cooldownMs: number;
  /** After this long the set is refreshed in the background (keys removed on the server are dropped). */
  maxAgeMs: number;
}

/**
 * The issuer's signing keys by `kid`, imported once. An unknown `kid` triggers one refetch (a
 * key rotation), at most once per cooldown; concurrent misses share that fetch.
 */
export class JwksCache {
  private keys = new Map<string, CachedKey>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;

  constructor(private readonly options: JwksCacheOptions) {}

  /** Loads the set when it was never loaded (the verifier's warm-up). */
  async load(): Promise<void> {
    if (this.fetchedAt === Number.NEGATIVE_INFINITY) await this.refresh();
  }

  /**
   * The key for a token header, synchronously when cached (the hot path stays free of awaits).
   * Throws ERR_TOKEN_KEY_UNKNOWN when the kid is absent even after a permitted refetch.
   */
  keyFor(header: JWSHeaderParameters): CryptoKey | Uint8Array | Promise<CryptoKey | Uint8Array> {
    const now = this.options.clock.now();
    if (now - this.fetchedAt > this.options.maxAgeMs) this.refresh().catch(() => undefined);
    const found = this.lookup(header);
    if (found) return found;
    if (now - this.fetchedAt < this.options.cooldownMs && !this.pending) {
      throw new TokenVerificationError('ERR_TOKEN_KEY_UNKNOWN', header.kid ? `kid '${header.kid}'` : 'no kid');
    }
    return this.refresh().then(
      () => {
        const key = this.lookup(header);
        if (!key) throw new TokenVerificationError('ERR_TOKEN_KEY_UNKNOWN', header.kid ? `kid '${header.kid}'` : 'no kid');
        return key;
      },
      (error: unknown) => {
        throw new TokenVerificationError('ERR_VERIFIER_UNAVAILABLE', 'the JWKS could not be fetched', { cause: error });
      },
    );
  }

  /**
   * Whether `kid` is still in the set, i.e. tokens it signed still verify (for the verified-token
   * cache). Starts the background refresh when the set is older than its max age, as keyFor does.
   */
  publishes(kid: string): boolean {
    if (this.options.clock.now() - this.fetchedAt > this.options.maxAgeMs) this.refresh().catch(() => undefined);
    return this.keys.has(kid);
  }

  private lookup(header: JWSHeaderParameters): CryptoKey | Uint8Array | undefined {
    let entry: CachedKey | undefined;
    if (header.kid !== undefined) entry = this.keys.get(header.kid);
    else if (this.keys.size === 1) entry = this.keys.values().next().value;
    if (!entry) return undefined;
    // A key published for one algorithm is never used with another (RFC 8725 §3.1).
    if (entry.alg !== undefined && entry.alg !== header.alg) {
      throw new TokenVerificationError('ERR_TOKEN_ALG_NOT_ALLOWED', `key '${header.kid ?? ''}' is for ${entry.alg}, the token says ${header.alg}`);
    }
    return entry.key;
  }

  /** Fetches the set (shared by concurrent callers) and swaps it in whole. */
  refresh(): Promise<void> {
    this.pending ??= this.fetchSet().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchSet(): Promise<void> {
    // Counted from the attempt, so a failing JWKS endpoint is not hammered either.
    this.fetchedAt = this.options.clock.now();
    const url = await this.options.jwksUri();
    const response = await send(this.options.fetch, url, { headers: { accept: 'application/json' } });
    if (!response.ok) {
      await response.body?.cancel();
      throw new MandateSdkError('ERR_JWKS', `JWKS at ${url} answered HTTP ${response.status}`);
    }
    const body = await requireJsonObject(response, `JWKS at ${url}`);
    if (!Array.isArray(body.keys)) throw new MandateSdkError('ERR_JWKS', `JWKS at ${url} has no keys array`);
    const next = new Map<string, CachedKey>();
    for (const jwk of body.keys as JWK[]) {
      // Only signature keys; skip what cannot be imported (unknown kty, encryption keys).
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      if (typeof jwk.kid !== 'string') continue;
      const alg = jwk.alg ?? algorithmFor(jwk);
      if (!alg) continue;
      try {
        next.set(jwk.kid, { alg: jwk.alg, key: await importJWK(jwk, alg) });
      } catch {
        continue;
      }
    }
    this.keys = next;
  }
}

function algorithmFor(jwk: JWK): string | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC') return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv ?? ''];
  if (jwk.kty === 'RSA') return 'RS256';
  return undefined;
}
