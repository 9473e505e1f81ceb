/**
 * Who asks `POST /v1/authorize` for a decision, and whose token is judged:
 *
 * | caller (Authorization)                          | token judged                 | invalid token            |
 * |-------------------------------------------------|------------------------------|--------------------------|
 * | an agent: `Bearer <its access token>` (or DPoP) | its own (`token` optional, must be the same) | 401             |
 * | an operator with `decisions:request`: `Bearer mop_…` | `token` (required)      | 200 `deny` `invalid_token` |
 * | a resource server: `Basic` with its client credentials | `token` (required; its `aud` must name the server) | 200 `deny` `invalid_token` |
 *
 * A resource server's call carries the policy package an admin bound to it (`boundPackage`,
 * read with its credentials, so a new binding counts at once); the decision point evaluates it.
 *
 * An agent's own token is judged by the decision point through the same cached subject
 * resolver as every /v1 route (subjects.ts), so it is verified once: a DPoP call resolves the
 * agent here (to check the proof of this request) and the decision point then finds the
 * verified claims in the cache; a Bearer call leaves the whole check to the decision point.
 */
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../shared/errors.js';
import { isAccessTokenShaped } from './agent-tokens.js';
import { authorizationScheme, bearerToken, type Authenticator } from './authenticator.js';
import type { OperatorPrincipal, RequestContext } from './principal.js';

export interface DecisionCaller {
  caller: { kind: 'agent' | 'operator' | 'resource_server'; id: string };
  /** The agent's access token: the caller's own bearer, or `token` from the body. */
  token: string;
  /** True when the token came in the body: an invalid one is then a `deny`, not a 401. */
  tokenFromBody: boolean;
  /** The audience the token must carry, or null for any. */
  audience: string | null;
  /** False only for an agent's own token sent as plain Bearer (a bound token is then refused). */
  proofChecked: boolean;
  /** The policy package an admin bound to the calling resource server; null for other callers or none bound. */
  boundPackage: string | null;
}

export interface DecisionCallerOptions {
  /** Mandate's own audience (the issuer): an agent asks with a token meant for Mandate. */
  audience: string;
  /** Throws when this operator may not ask for decisions (the operators' permission table). */
  checkOperator(operator: OperatorPrincipal): void;
}

const requiredToken = (bodyToken: string | undefined): string => {
  if (bodyToken === undefined) throw new ValidationError("body.token is required: the agent's access token", { field: 'body.token' });
  return bodyToken;
};

export async function decisionCaller(authenticator: Authenticator, request: RequestContext, bodyToken: string | undefined, options: DecisionCallerOptions): Promise<DecisionCaller> {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header.length === 0) {
    throw new UnauthenticatedError('missing credentials: an agent sends its access token as Bearer; resource servers use Basic; operators Bearer mop_…');
  }
  const scheme = authorizationScheme(request);
  if (scheme === 'basic') {
    const server = await authenticator.resourceServerBasic(header);
    if (!server) throw new UnauthenticatedError('resource server authentication failed');
    return {
      caller: { kind: 'resource_server', id: server.serverId },
      token: requiredToken(bodyToken),
      tokenFromBody: true,
      audience: server.audience,
      proofChecked: true,
      boundPackage: server.policyPackage,
    };
  }
  const own = bearerToken(header);
  if (!own) throw new UnauthenticatedError('unsupported Authorization scheme');
  if (isAccessTokenShaped(own)) {
    if (bodyToken !== undefined && bodyToken !== own) throw new ForbiddenError('an agent may ask only about its own token; resource servers and operators pass other tokens', { field: 'body.token' });
    // DPoP: the proof of this request is checked here; the decision point then reuses the cached claims.
    const dpop = scheme === 'dpop';
    if (dpop) await authenticator.authenticate(request);
    return { caller: { kind: 'agent', id: '' }, token: own, tokenFromBody: false, audience: options.audience, proofChecked: dpop, boundPackage: null };
  }
  const principal = await authenticator.authenticate(request);
  if (principal.kind !== 'operator') throw new ForbiddenError('unexpected credential');
  options.checkOperator(principal);
  return { caller: { kind: 'operator', id: principal.operatorId }, token: requiredToken(bodyToken), tokenFromBody: true, audience: null, proofChecked: true, boundPackage: null };
}
