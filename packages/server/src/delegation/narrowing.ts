import { pairCounts, uncovered } from './permissions.js';
import { refuse, type Refusal } from './rules.js';

/**
 * The narrowing rules of one delegation step (pure; docs/delegation.md "The rules"): given the
 * parent (what the subject token grants) and what the acting agent asks, either the child's
 * scopes, depth and lifetime, or a refusal naming its rule. Time is a parameter.
 */

/** One actor of a chain, outermost first. */
export interface ChainLink {
  sub: string;
  client_id?: string;
}

export interface ParentGrant {
  /** `user`: a user's token from a trusted IdP or an ID-JAG (permissions unknown to Mandate); `agent`: a Mandate token. */
  kind: 'user' | 'agent';
  /** The chain's root subject (a user, or the agent that delegates its own token). */
  subject: string;
  /** Scopes the parent holds; null when Mandate cannot know them (a user's IdP token). */
  scopes: readonly string[] | null;
  /** Audiences the parent may reach; null for any registered one (a user's token, a token for Mandate itself). */
  audiences: readonly string[] | null;
  /** Parent expiry, epoch seconds. */
  exp: number;
  /** Actors already in the chain, outermost first (empty for a user's token or an agent's own token). */
  actors: readonly ChainLink[];
  /** RFC 8693 §4.4 may_act of the subject token, when it carries one. */
  mayAct?: { sub?: string; client_id?: string } | undefined;
}

export interface ActingAgent {
  id: string;
  clientId: string;
  /** Registered scopes. */
  scopes: readonly string[];
  /** The lifetime the agent would get for a token of its own (configured bounds applied). */
  ttlSeconds: number;
}

export interface StepRequest {
  actor: ActingAgent;
  /** `scope`, or undefined for "everything the parent and my registration allow". */
  scopes: readonly string[] | undefined;
  audience: string;
  /** Scopes the audience accepts, or null for Mandate's own API (accepts all). */
  audienceScopes: readonly string[] | null;
  nowSeconds: number;
}

export interface DelegationSettings {
  maxDepth: number;
  /** Chains deeper than this need a human's approval. */
  approvalDepth: number;
  /** Share of the parent's (resource, action) pairs each level must give up, 0..1. */
  minimumReduction: number;
}

export interface Step {
  ok: true;
  scopes: string[];
  /** Actors in the child token (the chain's depth). */
  depth: number;
  ttlSeconds: number;
  /** The step goes beyond `approvalDepth`: it needs an approved request bound to it. */
  needsApproval: boolean;
  /** Measured pairs (for the audit entry): child and parent, or null when the parent's are unknown. */
  pairs: { child: number; parent: number } | null;
}

const list = (scopes: readonly string[]) => scopes.join(' ') || '(none)';

export function narrow(parent: ParentGrant, request: StepRequest, settings: DelegationSettings): Step | Refusal {
  const { actor, nowSeconds } = request;
  const remaining = parent.exp - nowSeconds;
  if (remaining <= 0) return refuse('parent_expired', 'the subject token has expired');
  if (parent.mayAct && !mayActMatches(parent.mayAct, actor)) {
    return refuse('may_act', `the subject token's may_act does not name agent '${actor.id}'`);
  }
  const inChain = parent.actors.some((link) => link.sub === actor.id) || (parent.kind === 'agent' && parent.subject === actor.id);
  if (inChain) return refuse('actor_in_chain', `agent '${actor.id}' is already in this delegation chain`);
  const depth = parent.actors.length + 1;
  if (depth > settings.maxDepth) return refuse('depth_exceeded', `the chain would be ${depth} deep; the limit is ${settings.maxDepth} (delegation.maxDepth)`);
  if (parent.audiences !== null && !parent.audiences.includes(request.audience)) {
    return refuse('audience_not_in_parent', `the subject token does not reach '${request.audience}' (it reaches: ${parent.audiences.join(' ')})`);
  }
  const scopes = chooseScopes(parent, request);
  if (!Array.isArray(scopes)) return scopes;
  let pairs: Step['pairs'] = null;
  if (parent.kind === 'agent' && parent.scopes !== null) {
    pairs = pairCounts(scopes, parent.scopes);
    const allowed = Math.floor(pairs.parent * (1 - settings.minimumReduction) + 1e-9);
    if (pairs.child > allowed) {
      const percent = Math.round(settings.minimumReduction * 100);
      return refuse(
        'insufficient_reduction',
        `each delegation level must give up at least ${percent} % of its parent's (resource, action) pairs: the parent holds ${pairs.parent}, so at most ${allowed} may be delegated, and '${list(scopes)}' covers ${pairs.child}`,
      );
    }
  }
  return { ok: true, scopes, depth, ttlSeconds: Math.min(actor.ttlSeconds, remaining), needsApproval: depth > settings.approvalDepth, pairs };
}

function mayActMatches(mayAct: { sub?: string; client_id?: string }, actor: ActingAgent): boolean {
  if (mayAct.sub !== undefined && mayAct.sub !== actor.id && mayAct.sub !== actor.clientId) return false;
  if (mayAct.client_id !== undefined && mayAct.client_id !== actor.clientId) return false;
  return mayAct.sub !== undefined || mayAct.client_id !== undefined;
}

/** The scopes asked (checked, never trimmed), or by default all the parent and the agent share. */
function chooseScopes(parent: ParentGrant, request: StepRequest): string[] | Refusal {
  const { actor, audienceScopes } = request;
  if (request.scopes === undefined) {
    const base = parent.scopes === null ? actor.scopes : parent.scopes.filter((scope) => uncovered([scope], actor.scopes).length === 0);
    const scopes = audienceScopes === null ? [...base] : base.filter((scope) => audienceScopes.includes(scope));
    if (scopes.length === 0) return refuse('no_scope', "the parent, the agent's registration and the audience share no scope");
    return scopes;
  }
  const scopes = [...new Set(request.scopes)];
  if (scopes.length === 0) return refuse('no_scope', 'scope is empty');
  if (audienceScopes !== null) {
    const refused = scopes.filter((scope) => !audienceScopes.includes(scope));
    if (refused.length > 0) return refuse('scope_not_accepted', `the audience does not accept: ${list(refused)} (it accepts: ${list(audienceScopes)})`);
  }
  const unregistered = uncovered(scopes, actor.scopes);
  if (unregistered.length > 0) return refuse('scope_not_registered', `agent '${actor.id}' is not registered for: ${list(unregistered)}`);
  if (parent.scopes !== null) {
    const beyond = uncovered(scopes, parent.scopes);
    if (beyond.length > 0) return refuse('scope_not_in_parent', `the subject token does not hold: ${list(beyond)} (it holds: ${list(parent.scopes)})`);
  }
  return scopes;
}
