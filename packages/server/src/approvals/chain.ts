import type { DelegationLink } from '../audit/index.js';

/**
 * Who an agent's access token says is acting, for whom. RFC 8693 access tokens carry the
 * subject (the user, or the parent agent) in `sub` and the current actor in `act`, with
 * earlier actors nested inside it (`act.act`, …). The chain is listed outermost (the original
 * subject) first, then each actor in delegation order, ending with the agent presenting it.
 *
 * A token without `act` (client credentials) is the agent acting for itself: the chain is the
 * agent alone and there is no user.
 */
export interface TokenDelegation {
  chain: DelegationLink[];
  /** The original subject of a delegated token, i.e. the user the agent acts for. */
  onBehalfOf: string | null;
}

function link(value: Record<string, unknown>): DelegationLink | null {
  if (typeof value.sub !== 'string' || value.sub === '') return null;
  return typeof value.client_id === 'string' ? { sub: value.sub, client_id: value.client_id } : { sub: value.sub };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How deep nested `act` claims are followed; the delegation rules allow far fewer hops. */
const MAX_ACT_DEPTH = 16;

export function delegationFromClaims(agentId: string, clientId: string, claims: Record<string, unknown>): TokenDelegation {
  const actors: DelegationLink[] = [];
  let act: unknown = claims.act;
  while (isObject(act) && actors.length < MAX_ACT_DEPTH) {
    const actor = link(act);
    if (actor) actors.push(actor);
    act = act.act;
  }
  const self: DelegationLink = { sub: agentId, client_id: clientId };
  if (actors.length === 0) return { chain: [self], onBehalfOf: null };
  const subject = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : null;
  // `act` lists the current actor first; the chain reads from the original subject down.
  const chain = [...(subject ? [{ sub: subject }] : []), ...actors.reverse()];
  if (chain[chain.length - 1]?.sub !== agentId) chain.push(self);
  return { chain, onBehalfOf: subject };
}
