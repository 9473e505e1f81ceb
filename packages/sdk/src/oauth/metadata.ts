import { DiscoveryError } from '../shared/errors.js';
import { requireJsonObject, send, type FetchLike } from '../shared/http.js';

/** RFC 8414 authorization server metadata: the members the SDK reads (others are kept). */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  token_endpoint_auth_signing_alg_values_supported?: string[];
  dpop_signing_alg_values_supported?: string[];
  grant_types_supported?: string[];
  scopes_supported?: string[];
  /** Mandate's revocation feed (docs/oauth.md "Revocation feed"). */
  revocation_feed_endpoint?: string;
  [member: string]: unknown;
}

/**
 * RFC 8414 §3: the well-known segment goes between host and path, so an issuer
 * `https://a.example/tenant` is described at `https://a.example/.well-known/oauth-authorization-server/tenant`.
 */
export function metadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/** Fetches and checks the metadata: its `issuer` must equal the configured one exactly (RFC 8414 §3.3). */
export async function discoverMetadata(issuer: string, fetchImpl: FetchLike, signal?: AbortSignal): Promise<AuthorizationServerMetadata> {
  const url = metadataUrl(issuer);
  const response = await send(fetchImpl, url, { headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new DiscoveryError(`metadata at ${url} answered HTTP ${response.status}`, { status: response.status });
  }
  const body = await requireJsonObject(response, `metadata at ${url}`);
  if (body.issuer !== issuer) {
    throw new DiscoveryError(`metadata issuer '${String(body.issuer)}' does not match the configured issuer '${issuer}'`);
  }
  for (const member of ['token_endpoint', 'jwks_uri'] as const) {
    if (typeof body[member] !== 'string') throw new DiscoveryError(`metadata at ${url} lacks ${member}`);
  }
  return body as AuthorizationServerMetadata;
}

/** Discovers once and shares the answer; a failed discovery is forgotten so the next caller tries again. */
export class MetadataCache {
  private pending: Promise<AuthorizationServerMetadata> | undefined;
  constructor(
    private readonly issuer: string,
    private readonly fetchImpl: FetchLike,
    private readonly load: (issuer: string, fetchImpl: FetchLike) => Promise<AuthorizationServerMetadata> = discoverMetadata,
  ) {}

  get(): Promise<AuthorizationServerMetadata> {
    if (!this.pending) {
      const pending = this.load(this.issuer, this.fetchImpl);
      this.pending = pending;
      pending.catch(() => {
        if (this.pending === pending) this.pending = undefined;
      });
    }
    return this.pending;
  }
}
