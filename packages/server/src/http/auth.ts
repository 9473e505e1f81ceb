import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../shared/errors.js';
import { can, type Permission } from '../operators/roles.js';
import type { AgentPrincipal, CredentialResolver, OperatorPrincipal, Principal } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^(?:Bearer|DPoP)\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Tries each registered resolver on the request's bearer token. */
export class Authenticator {
  private readonly resolvers: CredentialResolver[] = [];

  register(resolver: CredentialResolver): void {
    this.resolvers.push(resolver);
  }

  async authenticate(request: FastifyRequest): Promise<Principal> {
    const token = bearerToken(request);
    if (!token) {
      throw new UnauthenticatedError(
        request.headers.authorization
          ? 'malformed Authorization header: send Authorization: Bearer <token>'
          : 'missing bearer token: send Authorization: Bearer <token>',
      );
    }
    const resolver = this.resolvers.find((r) => r.recognises(token));
    const principal = resolver ? await resolver.resolve(token, request) : null;
    if (!principal) throw new UnauthenticatedError('the bearer token is not valid (unknown, expired or revoked)');
    request.principal = principal;
    return principal;
  }
}

/** The request's operator, allowed `permission`; 401 without credentials, 403 for agents or other roles. */
export function requireOperator(request: FastifyRequest, permission: Permission): OperatorPrincipal {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError();
  if (principal.kind !== 'operator') throw new ForbiddenError(`this call is for operators; agents may not ${permission}`);
  if (!can(principal.roles, permission)) {
    throw new ForbiddenError(`role ${principal.roles.join(', ')} may not ${permission}`, { permission, roles: principal.roles });
  }
  return principal;
}

export function requireAgent(request: FastifyRequest): AgentPrincipal {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError();
  if (principal.kind !== 'agent') throw new ForbiddenError('this call is for agents, with their own access token');
  return principal;
}
