import { jwtVerify, type JWSHeaderParameters, type JWTVerifyOptions } from 'jose';
import { epochSeconds, realSleep, systemClock, type Clock, type Sleeper } from '../shared/clock.js';
import type { FetchLike } from '../shared/http.js';
import { MandateSdkError } from '../shared/errors.js';
import { MetadataCache, type AuthorizationServerMetadata } from '../oauth/metadata.js';
import { allowedAlgorithms, DEFAULT_ACCESS_TOKEN_ALGORITHMS, DEFAULT_DPOP_ALGORITHMS } from './algorithms.js';
import { delegationChain, type AccessTokenClaims, type VerifiedAccessToken } from './claims.js';
import { tokenKey, VerifiedTokens, type CheckedToken } from './verified-tokens.js';
import { DpopProofVerifier } from './dpop-proof.js';
import { TokenVerificationError, wwwAuthenticate } from './errors.js';
import { fromJoseError } from './jose-errors.js';
import { JwksCache } from './jwks-cache.js';
import { RevocationFeed, type FeedCredentials } from './revocation-feed.js';
import { isActive } from './introspection.js';

export interface RevocationOptions {
  /** The resource server's client credentials (POST /v1/resource-servers), or a bearer token. */
  credentials: FeedCredentials;
  /** Feed URL; from metadata (`revocation_feed_endpoint`) or `<issuer>/oauth2/revocations`. */
  endpoint?: string;
  /** Long-poll wait (default 25 s; the server caps at 30). */
  waitSeconds?: number;
  /** Fail closed once the feed has been unreachable this long (default 5 s, docs/oauth.md). */
  toleranceSeconds?: number;
  /** Longest access token lifetime the server issues (default 900 s): how long agent marks matter. */
  maxTokenLifetimeSeconds?: number;
  /**
   * While the feed is unreachable beyond the tolerance: `reject` (default) fails closed with
   * ERR_VERIFIER_UNAVAILABLE; `introspect` asks the introspection endpoint about each token.
   */
  whenUnavailable?: 'reject' | 'introspect';
}

export interface TokenVerifierOptions {
  issuer: string;
  /** The audience(s) this resource server accepts; a token must name one of them. */
  audience: string | string[];
  /** Allowed signature algorithms (asymmetric only; default: all asymmetric JWS algorithms). */
  algorithms?: string[];
  /** Tolerated clock difference for exp/nbf/iat (default 10 s). */
  clockSkewSeconds?: number;
  /** Scopes every token must carry (per-call `requiredScopes` add to these). */
  requiredScopes?: string[];
  /**
   * Following the revocation feed is the default and needs credentials. `false` turns it off
   * explicitly: revoked tokens are then accepted until they expire.
   */
  revocation: RevocationOptions | false;
  dpop?: {
    /** Refuse tokens that are not DPoP-bound (default false: bound tokens are always checked). */
    required?: boolean;
    algorithms?: string[];
    /** Oldest accepted proof `iat`, and how long proof jtis are remembered (default 60 s). */
    maxAgeSeconds?: number;
  };
  /**
   * Verified tokens kept so that a token reused across calls has its signature checked once
   * (default 10,000 entries, least recently used evicted; `false` turns the cache off). Revocation,
   * DPoP proofs and scopes are still checked on every call; an entry ends at the token's `exp`
   * or when its signing key leaves the JWKS.
   */
  tokenCache?: { maxEntries?: number } | false;
  jwks?: {
    /** Least time between refetches caused by unknown kids (default 10 s). */
    cooldownSeconds?: number;
    /** Background refresh after this long (default 600 s). */
    maxAgeSeconds?: number;
  };
  clock?: Clock;
  fetch?: FetchLike;
  sleep?: Sleeper;
  random?: () => number;
}

/** What the verifier needs from a request besides the token. */
export interface VerifyOptions {
  /** The Authorization scheme the token came with (`Bearer` or `DPoP`); Bearer when left out. */
  scheme?: string;
  /** The `DPoP` header, method and URL of the request: needed for DPoP-bound tokens. */
  dpop?: { proof: string | undefined; method: string; url: string };
  /** base64url SHA-256 of the mTLS client certificate, for certificate-bound tokens (RFC 8705). */
  clientCertificateThumbprint?: string;
  requiredScopes?: string[];
}

/** A request as the middlewares see it. */
export interface RequestCredentials {
  authorization: string | null | undefined;
  dpop: string | null | undefined;
  method: string;
  url: string;
  clientCertificateThumbprint?: string;
}

const DEFAULT_SKEW_SECONDS = 10;
const DEFAULTS = {
  feedWaitSeconds: 25,
  feedToleranceSeconds: 5,
  maxTokenLifetimeSeconds: 900,
  dpopMaxAgeSeconds: 60,
  jwksCooldownSeconds: 10,
  jwksMaxAgeSeconds: 600,
  tokenCacheEntries: 10_000,
};

const AUTHORIZATION = /^(Bearer|DPoP)[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;

export interface TokenVerifier {
  /** Discovers metadata, loads the JWKS and syncs the revocation feed; verify() does this on first use. */
  ready(): Promise<void>;
  verify(token: string, options?: VerifyOptions): Promise<VerifiedAccessToken>;
  /** Reads the token (and DPoP proof) from request headers and verifies it. */
  verifyRequest(request: RequestCredentials, options?: { requiredScopes?: string[] }): Promise<VerifiedAccessToken>;
  /** The WWW-Authenticate header for a refusal. */
  challenge(error: TokenVerificationError, options?: { dpopScheme?: boolean; resourceMetadata?: string }): string | undefined;
  /** Stops following the revocation feed. */
  close(): Promise<void>;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return new AccessTokenVerifier(options);
}

class AccessTokenVerifier implements TokenVerifier {
  private readonly clock: Clock;
  private readonly metadata: MetadataCache;
  private readonly jwks: JwksCache;
  private readonly feed: RevocationFeed | undefined;
  private readonly dpopVerifier: DpopProofVerifier;
  private readonly dpopAlgorithms: string[];
  private readonly algorithms: string[];
  private readonly audience: string[];
  private readonly skew: number;
  private warm = false;
  /** Metadata and keys are in hand: signatures can be checked even while the feed is down. */
  private jwksLoaded = false;
  private readonly fetchImpl: FetchLike;
  private warming: Promise<void> | undefined;
  private readonly verified: VerifiedTokens | undefined;
  private readonly keyFor = (header: JWSHeaderParameters) => this.jwks.keyFor(header);

  constructor(private readonly options: TokenVerifierOptions) {
    if (!options.issuer) throw new MandateSdkError('ERR_VERIFIER_CONFIG', 'createTokenVerifier needs `issuer`');
    this.audience = Array.isArray(options.audience) ? options.audience : [options.audience];
    if (this.audience.length === 0 || this.audience.some((a) => !a)) throw new MandateSdkError('ERR_VERIFIER_CONFIG', 'createTokenVerifier needs `audience`');
    if (options.revocation === undefined) {
      throw new MandateSdkError('ERR_VERIFIER_CONFIG', 'createTokenVerifier needs `revocation: { credentials }` (or `revocation: false` to accept revoked tokens until they expire)');
    }
    this.clock = options.clock ?? systemClock;
    this.algorithms = allowedAlgorithms(options.algorithms, DEFAULT_ACCESS_TOKEN_ALGORITHMS);
    this.dpopAlgorithms = allowedAlgorithms(options.dpop?.algorithms, DEFAULT_DPOP_ALGORITHMS);
    this.skew = options.clockSkewSeconds ?? DEFAULT_SKEW_SECONDS;
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    this.fetchImpl = fetchImpl;
    this.metadata = new MetadataCache(options.issuer, fetchImpl);
    this.jwks = new JwksCache({
      jwksUri: async () => (await this.metadata.get()).jwks_uri,
      fetch: fetchImpl,
      clock: this.clock,
      cooldownMs: (options.jwks?.cooldownSeconds ?? DEFAULTS.jwksCooldownSeconds) * 1000,
      maxAgeMs: (options.jwks?.maxAgeSeconds ?? DEFAULTS.jwksMaxAgeSeconds) * 1000,
    });
    if (options.tokenCache !== false) {
      const maxEntries = options.tokenCache?.maxEntries ?? DEFAULTS.tokenCacheEntries;
      if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new MandateSdkError('ERR_VERIFIER_CONFIG', 'tokenCache.maxEntries must be a positive integer');
      this.verified = new VerifiedTokens(maxEntries, this.skew);
    }
    this.dpopVerifier = new DpopProofVerifier({
      clock: this.clock,
      algorithms: this.dpopAlgorithms,
      maxAgeSeconds: options.dpop?.maxAgeSeconds ?? DEFAULTS.dpopMaxAgeSeconds,
      skewSeconds: this.skew,
    });
    const revocation = options.revocation;
    if (revocation) {
      const waitSeconds = revocation.waitSeconds ?? DEFAULTS.feedWaitSeconds;
      this.feed = new RevocationFeed({
        endpoint: async () => revocation.endpoint ?? feedEndpoint(await this.metadata.get(), options.issuer),
        credentials: revocation.credentials,
        fetch: fetchImpl,
        clock: this.clock,
        sleep: options.sleep ?? realSleep,
        random: options.random ?? Math.random,
        waitSeconds,
        toleranceMs: (revocation.toleranceSeconds ?? DEFAULTS.feedToleranceSeconds) * 1000,
        backoff: { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: 500, maxDelayMs: 5_000 },
        maxTokenLifetimeSeconds: revocation.maxTokenLifetimeSeconds ?? DEFAULTS.maxTokenLifetimeSeconds,
        skewSeconds: this.skew,
      });
    }
  }

  ready(): Promise<void> {
    if (this.warm) return this.feedReady();
    this.warming ??= this.warmUp().then(
      () => {
        this.warm = true;
      },
      (error: unknown) => {
        this.warming = undefined;
        throw error;
      },
    );
    return this.warming;
  }

  private async warmUp(): Promise<void> {
    try {
      await this.metadata.get();
      await this.jwks.load();
      this.jwksLoaded = true;
    } catch (error) {
      throw new TokenVerificationError('ERR_VERIFIER_UNAVAILABLE', 'metadata or JWKS could not be fetched', { cause: error });
    }
    await this.feedReady();
  }

  private async feedReady(): Promise<void> {
    if (!this.feed || this.feed.usable()) return;
    try {
      await this.feed.ready();
    } catch (error) {
      throw new TokenVerificationError('ERR_VERIFIER_UNAVAILABLE', 'the revocation feed is unreachable', { cause: error });
    }
  }

  async verify(token: string, options: VerifyOptions = {}): Promise<VerifiedAccessToken> {
    // Hot path: once warm and the feed is live, a token seen before costs a hash and map lookups.
    let introspect = false;
    if (!this.warm || (this.feed && !this.feed.usable())) introspect = await this.readyOrFallback();
    const { claims, clientId, delegation } = await this.checkedToken(token, this.clock.now());

    if (introspect) {
      await this.checkByIntrospection(token);
    } else if (this.feed) {
      const revoked = this.feed.check(claims);
      if (revoked === 'token') throw new TokenVerificationError('ERR_TOKEN_REVOKED');
      if (revoked === 'agent') throw new TokenVerificationError('ERR_AGENT_REVOKED');
    }

    const binding = await this.checkBinding(token, claims, options);

    const scopes = claims.scope ? claims.scope.split(' ').filter(Boolean) : [];
    const required = [...(this.options.requiredScopes ?? []), ...(options.requiredScopes ?? [])];
    const missing = required.filter((scope) => !scopes.includes(scope));
    if (missing.length > 0) throw new TokenVerificationError('ERR_INSUFFICIENT_SCOPE', missing.join(' '), { requiredScopes: required });

    return {
      token,
      claims,
      subject: claims.sub,
      clientId,
      scopes,
      delegation,
      jti: claims.jti,
      issuedAt: claims.iat * 1000,
      expiresAt: claims.exp * 1000,
      binding,
      hasScope: (scope: string) => scopes.includes(scope),
    };
  }

  /** The token's signature and claims checked, from the cache when it was checked before. */
  private async checkedToken(token: string, now: number): Promise<CheckedToken> {
    if (!this.verified) return this.checkSignatureAndClaims(token, now);
    const key = await tokenKey(token);
    const cached = this.verified.get(key, epochSeconds(now), (kid) => this.jwks.publishes(kid));
    if (cached) return cached;
    const checked = await this.checkSignatureAndClaims(token, now);
    // A token without a kid is verified each time (which key verified it is not known by name).
    if (checked.kid) this.verified.remember(key, checked);
    return checked;
  }

  /** jose's signature and claim checks, then the claims Mandate's tokens must carry. */
  private async checkSignatureAndClaims(token: string, now: number): Promise<CheckedToken> {
    let claims: AccessTokenClaims;
    let kid: string | undefined;
    try {
      const verifyOptions: JWTVerifyOptions = {
        issuer: this.options.issuer,
        audience: this.audience,
        algorithms: this.algorithms,
        typ: 'at+jwt',
        clockTolerance: this.skew,
        currentDate: new Date(now),
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      };
      const result = await jwtVerify(token, this.keyFor, verifyOptions);
      claims = result.payload as AccessTokenClaims;
      kid = result.protectedHeader.kid;
    } catch (error) {
      throw fromJoseError(error);
    }
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.iat !== 'number') {
      throw new TokenVerificationError('ERR_TOKEN_CLAIM_INVALID', 'sub, jti and iat must be a string, a string and a number');
    }
    if (claims.iat > epochSeconds(now) + this.skew) throw new TokenVerificationError('ERR_TOKEN_NOT_YET_VALID', 'iat is in the future');
    const clientId = typeof claims.client_id === 'string' ? claims.client_id : undefined;
    if (!clientId) throw new TokenVerificationError('ERR_TOKEN_CLAIM_INVALID', 'client_id is missing');
    if (claims.scope !== undefined && typeof claims.scope !== 'string') throw new TokenVerificationError('ERR_TOKEN_CLAIM_INVALID', 'scope must be a string');

    const delegation = claims.act === undefined ? [] : delegationChain(claims.act);
    if (!delegation) throw new TokenVerificationError('ERR_TOKEN_CLAIM_INVALID', 'act must be nested objects each with a sub');
    return { claims, clientId, delegation, kid: kid ?? '' };
  }

  /**
   * Waits until the verifier is usable. Returns true when it is, except for the revocation feed,
   * and the configuration says to ask the introspection endpoint instead of refusing.
   */
  private async readyOrFallback(): Promise<boolean> {
    const revocation = this.options.revocation;
    try {
      await this.ready();
      return false;
    } catch (error) {
      const feedOnly = error instanceof TokenVerificationError && error.code === 'ERR_VERIFIER_UNAVAILABLE' && this.jwksLoaded;
      if (revocation && revocation.whenUnavailable === 'introspect' && feedOnly) return true;
      throw error;
    }
  }

  private async checkByIntrospection(token: string): Promise<void> {
    const revocation = this.options.revocation as RevocationOptions;
    let active: boolean;
    try {
      const endpoint = (await this.metadata.get()).introspection_endpoint;
      if (typeof endpoint !== 'string') throw new MandateSdkError('ERR_DISCOVERY', 'the metadata has no introspection_endpoint');
      active = await isActive(this.fetchImpl, endpoint, revocation.credentials, token);
    } catch (error) {
      throw new TokenVerificationError('ERR_VERIFIER_UNAVAILABLE', 'the revocation feed and introspection are unreachable', { cause: error });
    }
    if (!active) throw new TokenVerificationError('ERR_TOKEN_REVOKED', 'introspection says the token is not active');
  }

  private async checkBinding(token: string, claims: AccessTokenClaims, options: VerifyOptions): Promise<VerifiedAccessToken['binding']> {
    const scheme = (options.scheme ?? 'Bearer').toLowerCase();
    const cnf = claims.cnf;
    if (cnf !== undefined && (cnf === null || typeof cnf !== 'object')) throw new TokenVerificationError('ERR_TOKEN_CLAIM_INVALID', 'cnf must be an object');
    const jkt = cnf?.jkt;
    if (jkt !== undefined) {
      // RFC 9449 §7.1: a bound token is only accepted with the DPoP scheme and a valid proof.
      if (typeof jkt !== 'string') throw new TokenVerificationError('ERR_TOKEN_CLAIM_INVALID', 'cnf.jkt must be a string');
      if (scheme !== 'dpop' || !options.dpop?.proof) throw new TokenVerificationError('ERR_DPOP_REQUIRED');
      await this.dpopVerifier.verify({ proof: options.dpop.proof, method: options.dpop.method, url: options.dpop.url, accessToken: token, jkt });
      return { type: 'dpop', jkt };
    }
    if (scheme === 'dpop') throw new TokenVerificationError('ERR_TOKEN_BINDING_MISMATCH', 'the DPoP scheme was used with a token that is not DPoP-bound');
    if (this.options.dpop?.required) throw new TokenVerificationError('ERR_DPOP_REQUIRED', 'this resource accepts only DPoP-bound tokens');
    const x5t = cnf?.['x5t#S256'];
    if (x5t !== undefined) {
      if (typeof x5t !== 'string' || options.clientCertificateThumbprint !== x5t) {
        throw new TokenVerificationError('ERR_TOKEN_BINDING_MISMATCH', 'the token is bound to another client certificate');
      }
      return { type: 'mtls', x5tS256: x5t };
    }
    return undefined;
  }

  async verifyRequest(request: RequestCredentials, options: { requiredScopes?: string[] } = {}): Promise<VerifiedAccessToken> {
    const header = request.authorization?.trim();
    if (!header) throw new TokenVerificationError('ERR_TOKEN_MISSING');
    const match = AUTHORIZATION.exec(header);
    if (!match) throw new TokenVerificationError('ERR_TOKEN_MALFORMED', 'Authorization must be "Bearer <token>" or "DPoP <token>"');
    const scheme = match[1]!;
    return this.verify(match[2]!, {
      scheme,
      dpop: { proof: request.dpop ?? undefined, method: request.method, url: request.url },
      ...(request.clientCertificateThumbprint ? { clientCertificateThumbprint: request.clientCertificateThumbprint } : {}),
      ...(options.requiredScopes ? { requiredScopes: options.requiredScopes } : {}),
    });
  }

  challenge(error: TokenVerificationError, options: { dpopScheme?: boolean; resourceMetadata?: string } = {}): string | undefined {
    return wwwAuthenticate(error, {
      dpopAlgorithms: this.dpopAlgorithms,
      ...(options.dpopScheme ? { dpopScheme: true } : {}),
      ...(options.resourceMetadata ? { resourceMetadata: options.resourceMetadata } : {}),
    });
  }

  async close(): Promise<void> {
    await this.feed?.close();
  }
}

function feedEndpoint(metadata: AuthorizationServerMetadata, issuer: string): string {
  if (typeof metadata.revocation_feed_endpoint === 'string') return metadata.revocation_feed_endpoint;
  return `${issuer.replace(/\/$/, '')}/oauth2/revocations`;
}
