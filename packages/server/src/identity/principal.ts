import type { Role } from './roles.js';

/**
 * Who calls Mandate's API: an operator or an agent with a bearer credential (`Authorization:
 * Bearer …` or `DPoP …`), or a browser with a session cookie (signin/): an operator's session
 * carries that operator, a person's session a person. Routes switch on `kind`; a person may
 * do only what a route says it may (deny by default: the /v1 hook refuses people on every
 * route that does not declare `config: { people: true }`).
 */
export type Principal = OperatorPrincipal | AgentPrincipal | PersonPrincipal;

export interface OperatorPrincipal {
  kind: 'operator';
  operatorId: string;
  email: string;
  roles: Role[];
  /** The operator token's id, or the session's id when the operator signed in with a browser session. */
  tokenId: string;
  /** Set when the principal comes from a browser session (signin/), not a bearer token. */
  sessionId?: string;
}

/**
 * A person signed in at a company identity provider (signin/), who is not an operator. Their
 * id is stable per IdP and subject (`person:<idp id>:<sub>`), so consents and tokens issued
 * for them survive a new session.
 */
export interface PersonPrincipal {
  kind: 'person';
  personId: string;
  email: string;
  /** The configured IdP (signin.idps[].id) and the subject it asserted. */
  idpId: string;
  subject: string;
  sessionId: string;
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
