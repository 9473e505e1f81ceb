import type { FastifyRequest } from 'fastify';
import type { AgentPrincipal, Authenticator, OperatorPrincipal, Principal } from '../identity/index.js';
import { can, type Permission } from '../operators/index.js';
import type { Runtime } from '../runtime.js';
import { SESSION_COOKIE, type CurrentSession } from '../signin/index.js';
import { ForbiddenError, MandateError, UnauthenticatedError } from '../shared/errors.js';

/**
 * Fastify glue for identity: who the caller is is decided there (identity/); here the answer
 * is put on the request for the routes, and the routes' guards read it back.
 */
declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The browser session the request was authenticated by (signin/), or null for a bearer credential. */
    signinSession: CurrentSession | null;
  }
}

/** 403 `csrf_token_invalid`: an unsafe request on the session cookie without the session's CSRF token, or from another origin. */
export class CsrfTokenInvalidError extends MandateError {
  constructor(reason: string) {
    super('csrf_token_invalid', 403, reason);
  }
}

/** Authenticates the request's bearer credential (identity) and decorates the request with its principal. */
export async function authenticateRequest(authenticator: Authenticator, request: FastifyRequest): Promise<Principal> {
  const principal = await authenticator.authenticate(request);
  request.principal = principal;
  return principal;
}

/**
 * The /v1 authentication: a `Bearer`/`DPoP` credential as before (identity); without one, the
 * session cookie (signin/), with the CSRF check on unsafe methods. A person's session reaches
 * only the routes that declare `config: { people: true }`: deny by default.
 */
export async function authenticateV1(runtime: Runtime, request: FastifyRequest): Promise<Principal> {
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (request.headers.authorization !== undefined || cookie === undefined) return authenticateRequest(runtime.authenticator, request);
  const session = await runtime.signin.session(cookie);
  if (!session) throw new UnauthenticatedError('the session has ended or is not valid: sign in again at /signin');
  const refusal = runtime.signin.csrfRefusal(request, session);
  if (refusal) throw new CsrfTokenInvalidError(refusal);
  if (session.principal.kind === 'person' && !request.routeOptions.config.people) throw new ForbiddenError(PEOPLE_REFUSED);
  request.principal = session.principal;
  request.signinSession = session;
  return session.principal;
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
  if (principal.kind !== 'operator') throw new ForbiddenError(`this call is for operators; ${principal.kind === 'agent' ? 'agents' : 'people who are not operators'} may not ${permission}`);
  requirePermission(principal, permission);
  return principal;
}

/**
 * The request's operator or agent; 401 without credentials, 403 for a person signed in at the
 * company IdP (people reach only the routes that say `config: { people: true }`; the /v1 hook
 * refuses them before, this only narrows the type where a route serves both other kinds).
 */
export function requireOperatorOrAgent(request: FastifyRequest): OperatorPrincipal | AgentPrincipal {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError();
  if (principal.kind === 'person') throw new ForbiddenError(PEOPLE_REFUSED);
  return principal;
}

/** Why a person's session is refused on a route that is not for people. */
export const PEOPLE_REFUSED = 'people signed in at the company identity provider may not call this (only operators and agents may)';

export function requireAgent(request: FastifyRequest): AgentPrincipal {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError();
  if (principal.kind !== 'agent') throw new ForbiddenError('this call is for agents, with their own access token');
  return principal;
}
