import type { Agent, AgentStatus } from '../registry/index.js';

/**
 * Which agent statuses may obtain and use access tokens. Stricter than the registry's
 * `mayObtainCredentials` on purpose: the OAuth brief says only `active` agents get tokens,
 * so a deprecated agent's live tokens stop working too (it keeps its other credentials
 * while its replacement takes over).
 */
export const TOKENS_ALLOWED: Record<AgentStatus, boolean> = {
  active: true,
  suspended: false,
  deprecated: false,
  decommissioned: false,
};

export function mayHoldTokens(status: AgentStatus): boolean {
  return TOKENS_ALLOWED[status] === true;
}

/**
 * The token endpoint's refusal for an agent that may not hold tokens, the same for every
 * status (a decommissioned agent, whose secrets are gone, is told it too: agent-authentication.ts).
 */
export function statusRefusal(agent: Pick<Agent, 'id' | 'status'>): string {
  return `agent '${agent.id}' is ${agent.status}; only active agents get tokens`;
}
