import type { Role } from '../operators/roles.js';

/** The authenticated caller of a request. */
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

/** What a resolver may read of the request besides the credential (e.g. a DPoP proof header). */
export interface RequestContext {
  method: string;
  /** Path and query as received, e.g. `/v1/authorize`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Resolves a bearer credential to a principal. Each context that issues credentials
 * (operators, OAuth) registers one; the first that recognises the credential decides.
 */
export interface CredentialResolver {
  /** Cheap test on the credential's shape, e.g. its prefix. */
  recognises(credential: string): boolean;
  /** The principal, or null when the credential is not valid (unknown, revoked, expired). */
  resolve(credential: string, request?: RequestContext): Promise<Principal | null>;
}
