import type { FastifyRequest } from 'fastify';
import type { AgentPrincipal, Authenticator, OperatorPrincipal, Principal } from '../identity/index.js';
import { can, type Permission } from '../operators/index.js';
import { ForbiddenError, UnauthenticatedError } from '../shared/errors.js';

/**
 * Fastify glue for identity: who the caller is is decided there (identity/); here the answer
 * is put on the request for the routes, and the routes' guards read it back.
 */
declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Authenticates the request's bearer credential (identity) and decorates the request with its principal. */
export async function authenticateRequest(authenticator: Authenticator, request: FastifyRequest): Promise<Principal> {
  const principal = await authenticator.authenticate(request);
  request.principal = principal;
  return principal;
}

/** 403 unless the operator's roles grant `permission`. */
export function requirePermission(principal: OperatorPrincipal, permission: Permission): void {
  if (!can(principal.roles, permission)) {
    throw new ForbiddenError(`role ${principal.roles.join(', ')} may not ${permission}`, { permission, roles: principal.roles });
  }
}

/** The request's operator, allowed `permission`; 401 without credentials, 403 for agents or other roles. */
export function requireOperator(request: FastifyRequest, permission: Permission): OperatorPrincipal {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError();
  if (principal.kind !== 'operator') throw new ForbiddenError(`this call is for operators; agents may not ${permission}`);
  requirePermission(principal, permission);
  return principal;
}

export function requireAgent(request: FastifyRequest): AgentPrincipal {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError();
  if (principal.kind !== 'agent') throw new ForbiddenError('this call is for agents, with their own access token');
  return principal;
}
