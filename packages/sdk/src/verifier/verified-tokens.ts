import type { AccessTokenClaims, Actor } from './claims.js';

/** What the signature and claim checks established about a token, reusable until it expires. */
export interface CheckedToken {
  claims: AccessTokenClaims;
  clientId: string;
  delegation: Actor[];
  /** The key that signed it: the entry is void once the key leaves the issuer's JWKS. */
  kid: string;
}

/** The cache key of a token: the base64url SHA-256 of it, so no usable credential is held as a key. */
export async function tokenKey(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Tokens whose signature and claims were verified, so a token reused across calls is verified
 * once. Only what can never change is kept (a JWS's signature and claims); revocation, key
 * binding (each DPoP proof) and scopes are still checked on every call by the verifier. An entry
 * ends at the token's `exp` (+ skew, as jose judges it) or when its signing key is no longer
 * published, whichever is first. Bounded: the least recently used entry goes when full.
 */
export class VerifiedTokens {
  /** Map order is recency: least recently used first, refreshed on every hit. */
  private readonly entries = new Map<string, CheckedToken>();

  constructor(
    private readonly maxEntries: number,
    private readonly skewSeconds: number,
  ) {}

  /** The entry for `key` if it is still valid at `nowSeconds` and its key still published. */
  get(key: string, nowSeconds: number, published: (kid: string) => boolean): CheckedToken | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    // jose refuses once exp <= now - tolerance; so does the cache.
    if (entry.claims.exp <= nowSeconds - this.skewSeconds || !published(entry.kid)) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  remember(key: string, entry: CheckedToken): void {
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }
}
