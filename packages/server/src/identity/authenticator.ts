import { UnauthenticatedError } from '../shared/errors.js';
import type { Principal, RequestContext, ResourceServerPrincipal } from './principal.js';
import type { CredentialResolver, ResourceServerResolver } from './resolvers.js';

const BEARER = /^(?:Bearer|DPoP)\s+(\S+)\s*$/i;

function authorizationOf(request: RequestContext | undefined): string | undefined {
  const header = request?.headers.authorization;
  return typeof header === 'string' ? header : undefined;
}

/** The token of a `Bearer` or `DPoP` Authorization header, or null. */
export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  return BEARER.exec(authorization)?.[1] ?? null;
}

/** The request's Authorization scheme, lowercased (`bearer`, `dpop`, `basic`), if any. */
export function authorizationScheme(request: RequestContext | undefined): string | undefined {
  return /^(\S+)\s/.exec(authorizationOf(request) ?? '')?.[1]?.toLowerCase();
}

/**
 * Who a request's credentials belong to. The contexts that issue credentials register
 * resolvers here (resolvers.ts); every caller (the /v1 hook, `POST /v1/authorize`, the OAuth
 * endpoints) asks here, so the answer is decided in one place.
 */
export class Authenticator {
  private readonly resolvers: CredentialResolver[] = [];
  private resourceServers: ResourceServerResolver | null = null;

  register(resolver: CredentialResolver): void {
    this.resolvers.push(resolver);
  }

  registerResourceServers(resolver: ResourceServerResolver): void {
    this.resourceServers = resolver;
  }

  /** The principal of a bearer credential, or null when no resolver accepts it. */
  async resolve(credential: string, request?: RequestContext): Promise<Principal | null> {
    const resolver = this.resolvers.find((r) => r.recognises(credential));
    return resolver ? resolver.resolve(credential, request) : null;
  }

  /** The principal of the request's `Bearer`/`DPoP` credential; 401 without a valid one. */
  async authenticate(request: RequestContext): Promise<Principal> {
    const authorization = authorizationOf(request);
    const token = bearerToken(authorization);
    if (!token) {
      throw new UnauthenticatedError(
        authorization
          ? 'malformed Authorization header: send Authorization: Bearer <token>'
          : 'missing bearer token: send Authorization: Bearer <token>',
      );
    }
    const resolver = this.resolvers.find((r) => r.recognises(token));
    const principal = resolver ? await resolver.resolve(token, request) : null;
    if (!principal) {
      const why = (await resolver?.refusal?.(token)) ?? 'the bearer token is not valid (unknown, expired or revoked)';
      throw new UnauthenticatedError(why);
    }
    return principal;
  }

  /** The resource server with these client credentials, or null. */
  async resourceServer(clientId: string, secret: string): Promise<ResourceServerPrincipal | null> {
    return this.resourceServers ? this.resourceServers.resolve(clientId, secret) : null;
  }

  /** The resource server of a `Basic` Authorization header, or null; throws when the header is malformed. */
  async resourceServerBasic(authorization: string): Promise<ResourceServerPrincipal | null> {
    return this.resourceServers ? this.resourceServers.resolveBasic(authorization) : null;
  }
}
