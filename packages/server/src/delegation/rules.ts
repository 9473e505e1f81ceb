/**
 * The delegation rules as one table (STYLE.md §3): each rule's stable name, the OAuth error it
 * answers with, and what it protects. Every refused exchange names its rule in the error
 * description (`[rule] …`) and in the audit entry, so no refusal is left unexplained.
 */
export const RULES = {
  untrusted_issuer: { error: 'invalid_grant', protects: 'only tokens from trusted identity providers (mandate idp add) are accepted' },
  token_invalid: { error: 'invalid_grant', protects: 'a subject token or assertion must verify: signature, audience, times, the claim naming the user' },
  assertion_invalid: { error: 'invalid_grant', protects: 'an ID-JAG must be typ oauth-id-jag+jwt, for Mandate, for the authenticated client, unexpired' },
  assertion_replayed: { error: 'invalid_grant', protects: "an ID-JAG's jti is single use" },
  parent_expired: { error: 'invalid_grant', protects: 'a delegated token never outlives its parent' },
  may_act: { error: 'invalid_grant', protects: "the subject token's may_act names who may act for its subject" },
  actor_in_chain: { error: 'invalid_grant', protects: 'an agent cannot appear twice in one chain (no loops)' },
  depth_exceeded: { error: 'invalid_grant', protects: 'chains are bounded (delegation.maxDepth)' },
  audience_not_in_parent: { error: 'invalid_target', protects: 'a child token reaches no audience its parent could not reach' },
  scope_not_accepted: { error: 'invalid_scope', protects: 'a token never carries a scope its audience does not accept' },
  scope_not_registered: { error: 'invalid_scope', protects: "the new scopes ⊆ the acting agent's registered permissions" },
  scope_not_in_parent: { error: 'invalid_scope', protects: "the new scopes ⊆ the parent token's scopes" },
  no_scope: { error: 'invalid_scope', protects: 'a delegated token must be for something' },
  insufficient_reduction: { error: 'invalid_scope', protects: 'each level keeps at most (1 − delegation.minimumReduction) of its parent (docs/delegation.md)' },
  approval_required: { error: 'authorization_pending', protects: 'a chain deeper than delegation.approvalDepth needs a human (approvals)' },
  approval_refused: { error: 'access_denied', protects: 'a denied, expired, used or mismatched approval does not admit the exchange' },
} as const satisfies Record<string, { error: string; protects: string }>;

export type RuleName = keyof typeof RULES;

/** A refused delegation: the rule, the OAuth error it maps to, a sentence for the caller. */
export interface Refusal {
  ok: false;
  rule: RuleName;
  error: (typeof RULES)[RuleName]['error'];
  description: string;
  /** The approval request to wait for (rule `approval_required`). */
  approvalId?: string;
}

export function refuse(rule: RuleName, text: string, approvalId?: string): Refusal {
  return { ok: false, rule, error: RULES[rule].error, description: `[${rule}] ${text}`, ...(approvalId ? { approvalId } : {}) };
}
