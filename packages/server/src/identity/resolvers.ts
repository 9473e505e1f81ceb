import type { Agent, AgentStatus } from '../registry/index.js';
import type { AccessTokenClaims } from './claims.js';
import type { Principal, RequestContext, ResourceServerPrincipal } from './principal.js';

/**
 * What identity asks of the contexts that issue and keep credentials. Identity declares these
 * ports and the composition root plugs in the implementations (operators, oauth, registry),
 * so identity imports neither operators nor oauth (of the registry only its Agent type), and
 * every context below http/ can ask identity who a caller is.
 */

/**
 * Resolves a bearer credential to a principal. Each context that issues bearer credentials
 * registers one (operators: `mop_…` tokens; identity itself for agents' access tokens); the
 * first that recognises the credential decides.
 */
export interface CredentialResolver {
  /** Cheap test on the credential's shape, e.g. its prefix. */
  recognises(credential: string): boolean;
  /** The principal, or null when the credential is not valid (unknown, revoked, expired). */
  resolve(credential: string, request?: RequestContext): Promise<Principal | null>;
  /**
   * Why `resolve` refused a credential, when the reason helps the caller and gives nothing
   * away (a valid token for another audience); null for the generic "not valid".
   */
  refusal?(credential: string): Promise<string | null>;
}

/** Resource servers' client credentials (oauth keeps the servers and registers this). */
export interface ResourceServerResolver {
  /** The server with this client id and secret, or null. */
  resolve(clientId: string, secret: string): Promise<ResourceServerPrincipal | null>;
  /** The server a client_secret_basic `Authorization` header names, or null when the credentials are wrong; throws when the header is malformed. */
  resolveBasic(authorization: string): Promise<ResourceServerPrincipal | null>;
}

/** An agent's verified access token and the agent it belongs to. */
export interface Subject {
  claims: AccessTokenClaims;
  agent: Agent;
}

/** Agents' access tokens as their issuer (oauth) checks them. */
export interface AgentTokenSource {
  /**
   * The full check: signature, claims, audience (null accepts any), revocation and the agent's
   * status. Null when the token is not valid; throws only when the check itself fails.
   */
  verify(token: string, audience: string | null): Promise<Subject | null>;
  /** Whether the token, or its agents' tokens, have been revoked. */
  isRevoked(claims: AccessTokenClaims): Promise<boolean>;
  /** The revocation feed's head sequence: every revocation moves it, in its own transaction. */
  revocationHead(): Promise<number>;
  /** Whether an agent in this status may use access tokens. */
  mayHoldTokens(status: AgentStatus): boolean;
  /**
   * Whether tokens signed by the key `kid` still verify (the key is still published). A key
   * that left the set (removed after retirement, or on compromise) voids every cached token it signed.
   */
  keyInUse(kid: string): boolean;
}

/** Proof of possession of the key a token is bound to (DPoP, RFC 9449), for one request. */
export interface ProofOfPossession {
  /**
   * The RFC 7638 thumbprint of the key whose valid proof for this request and token came with
   * it, or null when none did (missing, malformed, replayed, for another request).
   */
  keyOf(request: RequestContext, token: string): Promise<string | null>;
}

/** The agents behind tokens (the registry). */
export interface AgentDirectory {
  getByClientId(clientId: string): Promise<Agent | null>;
  /** Called after an agent's status changed on this replica; returns the unsubscribe. */
  onStatusChange(listener: (change: { clientId: string }) => void): () => void;
  /** Called after an agent's fields (scopes, tools, ceiling…) were edited on this replica; returns the unsubscribe. */
  onUpdate(listener: (agent: { clientId: string }) => void): () => void;
}
