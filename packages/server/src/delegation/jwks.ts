import { createLocalJWKSet, type JSONWebKeySet, type JWTHeaderParameters, type FlattenedJWSInput, type KeyObject, type CryptoKey } from 'jose';
import type { Clock } from '../shared/clock.js';

/** Bounds on fetching an identity provider's JWKS (every limit explicit, docs/delegation.md). */
export interface JwksLimits {
  /** Largest JWKS document accepted, bytes. */
  maxBytes: number;
  /** Most keys in one JWKS. */
  maxKeys: number;
  /** A fetch that has not answered within this is abandoned. */
  timeoutMs: number;
  /** A fetched JWKS is used this long before it is fetched again. */
  maxAgeMs: number;
  /** An unknown `kid` refetches at most this often per issuer (a stream of forged kids cannot flood the IdP). */
  minRefreshMs: number;
}

export const DEFAULT_JWKS_LIMITS: JwksLimits = { maxBytes: 65_536, maxKeys: 50, timeoutMs: 5_000, maxAgeMs: 600_000, minRefreshMs: 30_000 };

interface Entry {
  uri: string;
  keys: ReturnType<typeof createLocalJWKSet> | null;
  kids: Set<string>;
  fetchedAt: number;
  attemptedAt: number;
  /** The fetch in flight, shared by concurrent verifications. */
  pending: Promise<void> | null;
}

export class JwksFetchError extends Error {}

/**
 * The trusted issuers' signing keys, fetched on first use, cached for `maxAgeMs`, refetched
 * when a token names a kid the cache lacks (at most every `minRefreshMs`), each fetch bounded
 * in time and size. One entry per configured issuer: the cache grows only with the operator's
 * list. Time from the injected clock; the fetch's own timeout is I/O timing (AbortSignal).
 */
export class JwksCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: JwksLimits = DEFAULT_JWKS_LIMITS,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** A jose key resolver for tokens of `issuer`, whose keys are at `uri`. */
  resolver(issuer: string, uri: string) {
    return async (header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<KeyObject | CryptoKey | Uint8Array> => {
      const entry = await this.entryFor(issuer, uri, header.kid);
      if (!entry.keys) throw new JwksFetchError(`the JWKS of '${issuer}' could not be fetched`);
      return entry.keys(header, token);
    };
  }

  /** Forgets an issuer (removed from the trusted list, or its JWKS URL changed). */
  forget(issuer: string): void {
    this.entries.delete(issuer);
  }

  private async entryFor(issuer: string, uri: string, kid: string | undefined): Promise<Entry> {
    const now = this.clock.now();
    let entry = this.entries.get(issuer);
    if (!entry || entry.uri !== uri) {
      entry = { uri, keys: null, kids: new Set(), fetchedAt: 0, attemptedAt: Number.NEGATIVE_INFINITY, pending: null };
      this.entries.set(issuer, entry);
    }
    const stale = entry.keys === null || now - entry.fetchedAt >= this.limits.maxAgeMs;
    const unknownKid = kid !== undefined && !entry.kids.has(kid);
    if ((stale || unknownKid) && (entry.pending || now - entry.attemptedAt >= this.limits.minRefreshMs)) {
      if (!entry.pending) {
        entry.attemptedAt = now;
        const current = entry;
        current.pending = this.load(current).finally(() => {
          current.pending = null;
        });
      }
      try {
        await entry.pending;
      } catch (error) {
        // A failed refresh keeps the keys already known (an IdP outage does not end trust at once).
        if (!entry.keys) throw error;
      }
    }
    return entry;
  }

  private async load(entry: Entry): Promise<void> {
    const { maxBytes, maxKeys, timeoutMs } = this.limits;
    let response: Response;
    try {
      response = await this.fetchImpl(entry.uri, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
    } catch (error) {
      throw new JwksFetchError(`fetching ${entry.uri} failed: ${(error as Error).message}`);
    }
    if (!response.ok) throw new JwksFetchError(`fetching ${entry.uri} answered ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) throw new JwksFetchError(`the JWKS at ${entry.uri} is larger than ${maxBytes} bytes`);
    const text = await readBounded(response, maxBytes, entry.uri);
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(text) as JSONWebKeySet;
    } catch {
      throw new JwksFetchError(`the JWKS at ${entry.uri} is not JSON`);
    }
    if (!jwks || !Array.isArray(jwks.keys)) throw new JwksFetchError(`the JWKS at ${entry.uri} has no keys array`);
    if (jwks.keys.length > maxKeys) throw new JwksFetchError(`the JWKS at ${entry.uri} has more than ${maxKeys} keys`);
    entry.keys = createLocalJWKSet(jwks);
    entry.kids = new Set(jwks.keys.map((key) => key.kid).filter((kid): kid is string => typeof kid === 'string'));
    entry.fetchedAt = this.clock.now();
  }
}

async function readBounded(response: Response, maxBytes: number, uri: string): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new JwksFetchError(`the JWKS at ${uri} is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
