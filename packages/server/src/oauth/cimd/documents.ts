import type { Clock } from '../../shared/clock.js';
import { CimdFetchError, fetchMetadataDocument, type FetchedDocument, type SafeFetchOptions } from './fetch.js';

/** What Mandate reads of a Client ID Metadata Document (RFC 7591 client metadata names). */
export interface ClientMetadataDocument {
  client_id: string;
  client_name: string | null;
  client_uri: string | null;
  logo_uri: string | null;
  redirect_uris: string[];
  token_endpoint_auth_method: string;
}

/** A document refused: the message says which rule of the draft (or which limit) it broke. */
export class CimdDocumentError extends Error {}

/** `maxConcurrentFetches` documents are being fetched already: this one is not started. */
export class CimdBusyError extends Error {
  constructor(readonly limit: number) {
    super(`${limit} client metadata documents are being fetched already (authorization.cimdMaxConcurrentFetches); retry in a few seconds`);
  }
}

export interface CimdDocumentsOptions extends SafeFetchOptions {
  clock: Clock;
  maxEntries: number;
  minCacheSeconds: number;
  maxCacheSeconds: number;
  /** Fetches running at once at most; one more is refused (CimdBusyError). */
  maxConcurrentFetches: number;
  /** The fetch itself (tests replace it to count fetches); fetchMetadataDocument by default. */
  fetch?: (url: URL, options: SafeFetchOptions) => Promise<FetchedDocument>;
}

const optionalUrl = (value: unknown, name: string): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !/^https?:\/\//.test(value)) throw new CimdDocumentError(`${name} must be an http(s) URL`);
  return value;
};

/** Validates a fetched document against the draft's rules for the URL it came from. */
export function parseClientMetadata(url: string, body: string): ClientMetadataDocument {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new CimdDocumentError('the metadata document is not JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new CimdDocumentError('the metadata document is not a JSON object');
  const doc = json as Record<string, unknown>;
  // The draft §4.1: client_id in the document MUST equal the URL it was fetched from (simple string comparison).
  if (doc.client_id !== url) throw new CimdDocumentError(`the metadata document's client_id (${JSON.stringify(doc.client_id)}) differs from its URL ${url}`);
  const uris = doc.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === 'string')) throw new CimdDocumentError('the metadata document must list redirect_uris');
  const method = doc.token_endpoint_auth_method ?? 'none';
  // Secrets cannot be shared through a public document: only public clients (and private_key_jwt, not offered here).
  if (method !== 'none') throw new CimdDocumentError(`token_endpoint_auth_method '${String(method)}' is not supported for metadata document clients; use 'none'`);
  if (doc.client_secret !== undefined) throw new CimdDocumentError('a metadata document must not contain a client_secret');
  const name = doc.client_name;
  return {
    client_id: url,
    client_name: typeof name === 'string' && name.length > 0 ? name.slice(0, 200) : null,
    client_uri: optionalUrl(doc.client_uri, 'client_uri'),
    logo_uri: optionalUrl(doc.logo_uri, 'logo_uri'),
    redirect_uris: uris as string[],
    token_endpoint_auth_method: 'none',
  };
}

/** Seconds a response may be reused by its HTTP cache headers (RFC 9111: no-store/no-cache → 0, max-age, else 0). */
export function freshnessSeconds(headers: FetchedDocument['headers']): number {
  const raw = headers['cache-control'];
  const control = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).toLowerCase();
  if (/(^|,)\s*(no-store|no-cache)\b/.test(control)) return 0;
  const maxAge = /(^|,)\s*max-age\s*=\s*"?(\d+)"?/.exec(control);
  if (maxAge) return Number(maxAge[2]);
  return 0;
}

/**
 * Client ID Metadata Documents by URL: fetched with the SSRF guards (fetch.ts), validated,
 * and kept for as long as the response's HTTP cache headers allow, bounded below (so a
 * client cannot make Mandate fetch on every request) and above, and by a number of entries
 * (least recently used dropped first). A refusal (unreachable, invalid) is kept for the lower
 * bound too, so a URL that fails cannot be made to fetch on every request either; at most
 * `maxConcurrentFetches` fetches run at once, for one URL each.
 */
export class CimdDocuments {
  private readonly cache = new Map<string, { document: ClientMetadataDocument; until: number }>();
  private readonly refused = new Map<string, { error: Error; until: number }>();
  private readonly inFlight = new Map<string, Promise<ClientMetadataDocument>>();

  constructor(private readonly options: CimdDocumentsOptions) {}

  async get(url: string): Promise<ClientMetadataDocument> {
    const now = this.options.clock.now();
    const cached = this.cache.get(url);
    if (cached) {
      this.cache.delete(url);
      if (cached.until > now) {
        this.cache.set(url, cached);
        return cached.document;
      }
    }
    const refusal = this.refused.get(url);
    if (refusal && refusal.until > now) throw refusal.error;
    if (refusal) this.refused.delete(url);
    const running = this.inFlight.get(url);
    if (running) return running;
    if (this.inFlight.size >= this.options.maxConcurrentFetches) throw new CimdBusyError(this.options.maxConcurrentFetches);
    const work = this.load(url)
      .catch((error: unknown) => this.remember(url, error))
      .finally(() => this.inFlight.delete(url));
    this.inFlight.set(url, work);
    return work;
  }

  /** Cached documents (tests, metrics). */
  get size(): number {
    return this.cache.size;
  }

  /** Keeps a refusal for `minCacheSeconds` (within `maxEntries`) and throws it. */
  private remember(url: string, error: unknown): never {
    const seconds = this.options.minCacheSeconds;
    if (seconds > 0 && (error instanceof CimdFetchError || error instanceof CimdDocumentError)) {
      this.refused.set(url, { error, until: this.options.clock.now() + seconds * 1000 });
      while (this.refused.size > this.options.maxEntries) this.refused.delete(this.refused.keys().next().value!);
    }
    throw error;
  }

  private async load(url: string): Promise<ClientMetadataDocument> {
    const { maxBytes, timeoutMs, allowLoopback, lookup, ca, clock, minCacheSeconds, maxCacheSeconds, maxEntries } = this.options;
    const fetch = this.options.fetch ?? fetchMetadataDocument;
    const fetched = await fetch(new URL(url), { maxBytes, timeoutMs, allowLoopback, ca, ...(lookup ? { lookup } : {}) });
    const document = parseClientMetadata(url, fetched.body);
    const seconds = Math.min(maxCacheSeconds, Math.max(minCacheSeconds, freshnessSeconds(fetched.headers)));
    if (seconds > 0) {
      this.cache.set(url, { document, until: clock.now() + seconds * 1000 });
      while (this.cache.size > maxEntries) this.cache.delete(this.cache.keys().next().value!);
    }
    return document;
  }
}

export { CimdFetchError };
