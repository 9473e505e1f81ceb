import type { Role } from './roles.js';

/**
 * Who calls Mandate's API with a bearer credential (`Authorization: Bearer …` or `DPoP …`):
 * an operator or an agent. Routes switch on `kind`. A person signed in at the company IdP
 * joins this union as one more kind (with the resolver of the context that signs people in),
 * and the compiler then points at every route that must say what a person may do.
 */
export type Principal = OperatorPrincipal | AgentPrincipal;

export interface OperatorPrincipal {
  kind: 'operator';
  operatorId: string;
  email: string;
  roles: Role[];
  tokenId: string;
}

export interface AgentPrincipal {
  kind: 'agent';
  agentId: string;
  clientId: string;
  /** The verified access token claims. */
  claims: Record<string, unknown>;
  /** The raw token, for handing on (e.g. to the decision point); never logged. */
  token: string;
}

/**
 * A registered API, authenticated by its client credentials. It only asks about agents'
 * tokens (introspection, the revocation feed, `POST /v1/authorize`), so it is not a
 * `Principal` of the rest of /v1.
 */
export interface ResourceServerPrincipal {
  kind: 'resource_server';
  serverId: string;
  clientId: string;
  /** The audience its tokens carry: the only tokens it may ask about. */
  audience: string;
  /** The policy package an admin bound to it for its decisions; null: the server's. */
  policyPackage: string | null;
}

/** What a resolver may read of the request besides the credential (e.g. a DPoP proof header). */
export interface RequestContext {
  method: string;
  /** Path and query as received, e.g. `/v1/authorize`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}
