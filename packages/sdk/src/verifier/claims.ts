/** An actor in a delegation chain: the `act` claim of RFC 8693 §4.1. */
export interface ActorClaim {
  sub: string;
  iss?: string;
  client_id?: string;
  act?: ActorClaim;
  [claim: string]: unknown;
}

/** The claims of a Mandate access token (docs/contract.md "OAuth 2.0", RFC 9068). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  jti: string;
  client_id: string;
  scope?: string;
  /** Confirmation (RFC 7800): `jkt` for DPoP (RFC 9449), `x5t#S256` for mTLS (RFC 8705). */
  cnf?: { jkt?: string; 'x5t#S256'?: string };
  act?: ActorClaim;
  [claim: string]: unknown;
}

/** One link of a delegation chain, without its nested `act`. */
export interface Actor {
  sub: string;
  clientId: string | undefined;
  iss: string | undefined;
  /** Any other members the server put on this actor. */
  claims: Record<string, unknown>;
}

/** A verified access token. Times are milliseconds since the epoch. */
export interface VerifiedAccessToken {
  token: string;
  claims: AccessTokenClaims;
  /** Who the token is about: the agent, or the user it acts for in a delegated token. */
  subject: string;
  clientId: string;
  scopes: string[];
  /**
   * The delegation chain, outermost first: `[0]` is the current actor (the token's `act`), the
   * last entry the first delegate. Empty for a token the agent got for itself.
   */
  delegation: Actor[];
  jti: string;
  issuedAt: number;
  expiresAt: number;
  /** How the token is sender-constrained, if it is. */
  binding: { type: 'dpop'; jkt: string } | { type: 'mtls'; x5tS256: string } | undefined;
  hasScope(scope: string): boolean;
}

/** Deepest `act` nesting accepted: far beyond Mandate's max delegation depth, a guard against abuse. */
const MAX_CHAIN = 16;

/** Flattens nested `act` claims into a list, outermost first; undefined when malformed. */
export function delegationChain(act: unknown): Actor[] | undefined {
  const chain: Actor[] = [];
  let current = act;
  while (current !== undefined) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || chain.length >= MAX_CHAIN) return undefined;
    const { sub, iss, client_id: clientId, act: next, ...rest } = current as Record<string, unknown>;
    if (typeof sub !== 'string') return undefined;
    chain.push({
      sub,
      clientId: typeof clientId === 'string' ? clientId : undefined,
      iss: typeof iss === 'string' ? iss : undefined,
      claims: rest,
    });
    current = next;
  }
  return chain;
}
