import { ValidationError } from '../../shared/errors.js';

/**
 * Claim-mapping rules, as data (STYLE.md §3): each names one agent and the claims a token must
 * carry to authenticate as it. Every field given must equal; a rule with no field is refused.
 */
export interface MappingRule {
  agent_id: string;
  sub?: string;
  /** Kubernetes: `kubernetes.io.namespace` of a service-account token. */
  namespace?: string;
  /** Kubernetes: `kubernetes.io.serviceaccount.name`. */
  service_account?: string;
  /** SPIFFE: the `sub` of a JWT-SVID. */
  spiffe_id?: string;
}

/** Where each matcher reads its value in a token's claims. */
const MATCHERS: Record<Exclude<keyof MappingRule, 'agent_id'>, (claims: Record<string, unknown>) => unknown> = {
  sub: (c) => c.sub,
  namespace: (c) => (c['kubernetes.io'] as { namespace?: unknown } | undefined)?.namespace,
  service_account: (c) => (c['kubernetes.io'] as { serviceaccount?: { name?: unknown } } | undefined)?.serviceaccount?.name,
  spiffe_id: (c) => (typeof c.sub === 'string' && c.sub.startsWith('spiffe://') ? c.sub : undefined),
};
export const MATCHER_NAMES = Object.keys(MATCHERS) as Array<keyof typeof MATCHERS>;
export const MAX_RULES = 100;

/** Checks rules as given by an operator; the error names the rule and the field. */
export function checkRules(rules: readonly MappingRule[]): void {
  if (rules.length === 0 || rules.length > MAX_RULES) throw new ValidationError(`rules: give 1 to ${MAX_RULES} mapping rules`);
  rules.forEach((rule, index) => {
    if (!MATCHER_NAMES.some((name) => rule[name] !== undefined)) {
      throw new ValidationError(`rules[${index}]: name at least one claim to match (${MATCHER_NAMES.join(', ')})`, { field: `rules[${index}]` });
    }
  });
}

/**
 * The one agent a token's claims map to. No rule matching, or rules for two different agents
 * matching, is a refusal (anything unmapped or ambiguous is refused).
 */
export function mapClaims(rules: readonly MappingRule[], claims: Record<string, unknown>): { agentId: string } | { refused: string } {
  const matching = rules.filter((rule) => MATCHER_NAMES.every((name) => rule[name] === undefined || MATCHERS[name](claims) === rule[name]));
  const agents = [...new Set(matching.map((rule) => rule.agent_id))];
  if (agents.length === 0) return { refused: `no mapping rule matches this token (sub '${String(claims.sub)}')` };
  if (agents.length > 1) return { refused: 'the token matches rules for more than one agent' };
  return { agentId: agents[0]! };
}
