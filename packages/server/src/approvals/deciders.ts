import type { DelegationLink } from '../audit/index.js';
import { can } from '../operators/index.js';
import type { Decider } from './types.js';

/**
 * Who may decide an approval: a pure function of the request, the would-be decider and the
 * settings, so the rule reads in one place and is tested without a database.
 *
 * - Agents never decide, not even for other agents: a human is the point.
 * - Operators with `approvals:decide` (admin, approver) may decide.
 * - When `allowDelegatingUser` is on, so may the human the agent acts for (an operator whose
 *   email equals `on_behalf_of`), whatever their roles, provided the delegation chain starts
 *   with that user (a delegated token said so, not just the agent).
 * - Nobody who is party to the request may decide it: the agent, anyone in its delegation chain
 *   (matched by operator id or email against each link's `sub` and `client_id`), and, unless
 *   `allowDelegatingUser` is on, the user it acts for. This stops an operator who also runs an
 *   agent, or sits in its chain, from approving their own request.
 * - Separation of duties (`approvals.separationOfDuties`, on unless set to false): nobody
 *   decides the requests of an agent they own (the agent's registered `owner` equals their
 *   email), whatever their roles — an owner who is also an approver (or admin) cannot approve
 *   what their own agent asks. It applies to the delegating user too.
 */
export interface DeciderSettings {
  allowDelegatingUser: boolean;
  /** Named default: on (`DEFAULTS.approvals.separationOfDuties`); only an explicit false turns it off. */
  separationOfDuties?: boolean | undefined;
}

export interface DecidedRequest {
  agentId: string;
  chain: readonly DelegationLink[];
  onBehalfOf: string | null;
  /** The agent's registered owner (an email) when known, read when the decision is made. */
  agentOwner?: string | null | undefined;
}

export const SEPARATION_OF_DUTIES_RULE = 'approvals.separationOfDuties';

export type DeciderVerdict =
  | { allowed: true; asDelegatingUser: boolean }
  | { allowed: false; code: 'agent_cannot_decide' | 'not_permitted' | 'party_to_request' | 'owns_agent'; message: string };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Whether `email` is the user the request's agent acts for. The user counts only when the chain
 * starts with them (established by a delegated token), not when an agent merely names someone:
 * otherwise any agent could pick its own approver.
 */
export function isDelegatingUser(request: DecidedRequest, email: string): boolean {
  const user = request.onBehalfOf;
  return user !== null && request.chain.length > 1 && same(request.chain[0]!.sub, user) && same(email, user);
}

export function mayDecide(request: DecidedRequest, decider: Decider, settings: DeciderSettings): DeciderVerdict {
  if (decider.kind === 'agent') {
    return { allowed: false, code: 'agent_cannot_decide', message: 'agents may not approve or deny approval requests; a human decides' };
  }
  const identities = [decider.id, decider.email];
  const isUser = isDelegatingUser(request, decider.email);
  const asDelegatingUser = settings.allowDelegatingUser && isUser;
  if (!can(decider.roles, 'approvals:decide') && !asDelegatingUser) {
    return {
      allowed: false,
      code: 'not_permitted',
      message: `role ${decider.roles.join(', ') || '(none)'} may not approvals:decide`,
    };
  }
  const owner = request.agentOwner ?? null;
  if (settings.separationOfDuties !== false && owner !== null && same(owner, decider.email)) {
    return {
      allowed: false,
      code: 'owns_agent',
      message: `separation of duties (${SEPARATION_OF_DUTIES_RULE}): operator '${decider.id}' owns agent '${request.agentId}' and may not decide its requests`,
    };
  }
  const parties = new Set<string>([request.agentId]);
  for (const link of request.chain) {
    parties.add(link.sub);
    if (link.client_id) parties.add(link.client_id);
  }
  if (request.onBehalfOf !== null) {
    if (asDelegatingUser) parties.delete(request.onBehalfOf);
    else parties.add(request.onBehalfOf);
  }
  if (asDelegatingUser) {
    // The user is allowed in as themselves; any other appearance of their id still counts.
    for (const p of [...parties]) if (same(p, decider.email)) parties.delete(p);
  }
  const party = [...parties].find((p) => identities.some((i) => same(i, p)));
  if (party !== undefined) {
    return { allowed: false, code: 'party_to_request', message: `operator '${decider.id}' is party to this request (${party}) and may not decide it` };
  }
  return { allowed: true, asDelegatingUser };
}
