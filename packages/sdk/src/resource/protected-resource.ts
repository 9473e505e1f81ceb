/**
 * RFC 9728 protected resource metadata: what a resource server (an API, a guarded MCP server)
 * tells clients about itself — its canonical URI, which authorization server issues tokens
 * for it and which scopes it knows — and the `WWW-Authenticate` challenge that points there.
 * Pure functions: any HTTP framework serves the document at `protectedResourceMetadataPath()`.
 */
import { formatChallenge } from '../shared/www-authenticate.js';

/** The RFC 9728 §2 members Mandate's resource servers publish. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
  resource_documentation?: string;
  dpop_signing_alg_values_supported?: string[];
  [member: string]: unknown;
}

export interface ProtectedResourceOptions {
  /** The resource's canonical URI (RFC 8707 §2): what tokens for it carry as `aud`. */
  resource: string;
  /** Mandate's issuer (one or more authorization servers). */
  authorizationServers: string | string[];
  scopesSupported?: string[];
  resourceName?: string;
  resourceDocumentation?: string;
  dpopAlgorithms?: readonly string[];
}

/**
 * Checks a canonical resource URI (RFC 8707 §2, MCP authorization "Canonical Server URI"):
 * absolute, http(s), no fragment, no query. Returns it unchanged, or throws a TypeError naming
 * what is wrong (a token audience must match it character for character).
 */
export function canonicalResource(resource: string): string {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new TypeError(`resource must be an absolute URI, got '${resource}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`resource must be an http(s) URI, got '${resource}'`);
  if (url.hash || resource.includes('#')) throw new TypeError(`resource must not have a fragment (RFC 8707 §2), got '${resource}'`);
  if (url.search) throw new TypeError(`resource must not have a query, got '${resource}'`);
  return resource;
}

/**
 * RFC 9728 §3.1: the well-known segment goes between host and path, so the resource
 * `https://mcp.example/calendar` is described at `/.well-known/oauth-protected-resource/calendar`.
 */
export function protectedResourceMetadataPath(resource: string): string {
  const path = new URL(resource).pathname.replace(/\/$/, '');
  return `/.well-known/oauth-protected-resource${path}`;
}

/** The absolute metadata URL, for `WWW-Authenticate: Bearer resource_metadata="…"`. */
export function protectedResourceMetadataUrl(resource: string): string {
  return `${new URL(resource).origin}${protectedResourceMetadataPath(resource)}`;
}

/** The metadata document (RFC 9728 §2); tokens go in the Authorization header only. */
export function protectedResourceMetadata(options: ProtectedResourceOptions): ProtectedResourceMetadata {
  const servers = Array.isArray(options.authorizationServers) ? options.authorizationServers : [options.authorizationServers];
  if (servers.length === 0) throw new TypeError('authorizationServers must name at least one issuer');
  return {
    resource: canonicalResource(options.resource),
    authorization_servers: servers,
    bearer_methods_supported: ['header'],
    ...(options.scopesSupported ? { scopes_supported: [...options.scopesSupported] } : {}),
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
    ...(options.resourceDocumentation ? { resource_documentation: options.resourceDocumentation } : {}),
    ...(options.dpopAlgorithms ? { dpop_signing_alg_values_supported: [...options.dpopAlgorithms] } : {}),
  };
}

/**
 * A Bearer challenge naming the metadata (RFC 9728 §5.1) and the scope to ask for (RFC 6750
 * §3): `Bearer resource_metadata="…", scope="calendar:read"`, plus `error` when a token was
 * refused, e.g. `error="insufficient_scope"` for a step-up.
 */
export function resourceChallenge(options: { resource: string; scope?: readonly string[]; error?: string; errorDescription?: string }): string {
  return formatChallenge('Bearer', {
    resource_metadata: protectedResourceMetadataUrl(options.resource),
    error: options.error,
    error_description: options.error ? options.errorDescription : undefined,
    scope: options.scope && options.scope.length > 0 ? options.scope.join(' ') : undefined,
  });
}
