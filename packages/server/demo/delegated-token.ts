/** How the demo reads a delegated token's claims for the narrative (RFC 8693 `act`, Mandate's `delegation`). */
import { decodeJwt } from 'jose';
import type { ActorClaim } from '@mandate/sdk';

export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

export interface DelegatedClaims {
  sub: string;
  scope: string;
  act?: ActorClaim;
  delegation: { depth: number; chain_id: string; parents: string[] };
  exp: number;
}

export function delegatedClaims(token: string): DelegatedClaims {
  return decodeJwt(token) as unknown as DelegatedClaims;
}

/** The actors of a token, current actor first, as `act` nests them. */
export function actorsOf(claims: { act?: ActorClaim }): string[] {
  const actors: string[] = [];
  for (let act = claims.act; act; act = act.act) actors.push(act.sub);
  return actors;
}

/** One line about a delegated token: who it is for, who acts, what it may do. */
export function describeDelegated(token: string): string {
  const claims = delegatedClaims(token);
  return `sub ${claims.sub}, act ${actorsOf(claims).join(' ← ')}, scope "${claims.scope}", depth ${claims.delegation.depth}`;
}
