import type { AccessTokenClaims, ActClaim } from '../identity/index.js';
import type { ChainLink, ParentGrant } from './narrowing.js';

/**
 * The `delegation` claim of a delegated access token (docs/delegation.md "The token"): the
 * chain's depth (number of actors), its id (minted at the root exchange), the jtis of every
 * Mandate token above this one (outermost first: what cascade revocation checks) and the
 * root subject with its issuer.
 */
export interface DelegationClaim {
  depth: number;
  chain_id: string;
  parents: string[];
  root: { sub: string; iss: string };
}

/** A parent as the rules see it, plus what the child inherits. */
export interface DelegationParent extends ParentGrant {
  rootIssuer: string;
  /** The subject token's jti when it is a Mandate token. */
  jti: string | null;
  chainId: string | null;
  /** Jtis of the subject token's own ancestors, outermost first. */
  parents: readonly string[];
  act: ActClaim | undefined;
}

/** The chain of any access token, as the decision point's input carries it (docs/policies.md). */
export interface TokenChain {
  /** The chain's root subject: the user (or the agent) every actor acts for. */
  rootUser: string;
  rootIssuer: string | null;
  /** Actors outermost first, the token's holder last; empty for a token an agent got for itself. */
  actors: ChainLink[];
  depth: number;
  chainId: string | null;
}

const MAX_ACTORS = 16;

/** The actors of a (nested) `act` claim, outermost first. */
export function actorsOf(act: unknown): ChainLink[] {
  const actors: ChainLink[] = [];
  let current = act as Record<string, unknown> | undefined;
  while (current && typeof current === 'object' && actors.length < MAX_ACTORS) {
    if (typeof current.sub === 'string') actors.push(typeof current.client_id === 'string' ? { sub: current.sub, client_id: current.client_id } : { sub: current.sub });
    current = current.act as Record<string, unknown> | undefined;
  }
  return actors.reverse();
}

export function delegationClaimOf(claims: Record<string, unknown>): DelegationClaim | null {
  const value = claims.delegation as Partial<DelegationClaim> | undefined;
  if (!value || typeof value !== 'object' || typeof value.chain_id !== 'string' || typeof value.depth !== 'number') return null;
  const parents = Array.isArray(value.parents) ? value.parents.filter((p): p is string => typeof p === 'string').slice(0, MAX_ACTORS) : [];
  const root = value.root && typeof value.root.sub === 'string' && typeof value.root.iss === 'string' ? value.root : { sub: String(claims.sub), iss: String(claims.iss) };
  return { depth: value.depth, chain_id: value.chain_id, parents, root };
}

/** The chain a token carries (works for delegated and plain agent tokens alike). */
export function chainOf(claims: Pick<AccessTokenClaims, 'sub' | 'act'> & Record<string, unknown>): TokenChain {
  const actors = actorsOf(claims.act);
  const delegation = delegationClaimOf(claims);
  return {
    rootUser: delegation?.root.sub ?? claims.sub,
    rootIssuer: delegation?.root.iss ?? null,
    actors,
    depth: actors.length,
    chainId: delegation?.chain_id ?? null,
  };
}

/**
 * A verified Mandate access token as a parent: its scopes (narrowed to what its agent holds
 * now), audiences (none when it was for Mandate itself), actors and chain.
 */
export function parentFromAccessToken(claims: AccessTokenClaims, agentScopes: readonly string[], issuer: string): DelegationParent {
  const held = new Set(agentScopes);
  const scopes = (typeof claims.scope === 'string' ? claims.scope.split(' ') : []).filter((s) => s !== '' && held.has(s));
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const delegation = delegationClaimOf(claims);
  const mayAct = claims.may_act as { sub?: string; client_id?: string } | undefined;
  return {
    kind: 'agent',
    subject: delegation?.root.sub ?? claims.sub,
    rootIssuer: delegation?.root.iss ?? issuer,
    scopes,
    audiences: audiences.includes(issuer) ? null : audiences,
    exp: claims.exp,
    actors: actorsOf(claims.act),
    mayAct: mayAct && typeof mayAct === 'object' ? mayAct : undefined,
    jti: claims.jti,
    chainId: delegation?.chain_id ?? null,
    parents: delegation?.parents ?? [],
    act: claims.act,
  };
}

/** A user vouched for by a trusted IdP (token exchange or ID-JAG) as the root parent. */
export function parentFromUser(user: { issuer: string; user: string; exp: number; mayAct?: ParentGrant['mayAct'] }): DelegationParent {
  return { kind: 'user', subject: user.user, rootIssuer: user.issuer, scopes: null, audiences: null, exp: user.exp, actors: [], mayAct: user.mayAct, jti: null, chainId: null, parents: [], act: undefined };
}
