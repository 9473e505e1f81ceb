import type { Clock } from '../shared/clock.js';
import { agentTokenResolver } from './agent-tokens.js';
import type { Authenticator } from './authenticator.js';
import type { AgentDirectory, AgentTokenSource, ProofOfPossession } from './resolvers.js';
import { TokenSubjects } from './subjects.js';

export interface AgentTokensSetup {
  authenticator: Authenticator;
  /** The issuer's check of its tokens and its revocation state (oauth). */
  tokens: AgentTokenSource;
  proofs: ProofOfPossession;
  agents: AgentDirectory;
  /** Mandate's own audience (the issuer). */
  audience: string;
  clock: Clock;
  skewSeconds: number;
  /** Most verified tokens kept (least recently used evicted); config `oauth.verifiedTokenCacheEntries`. */
  cacheEntries?: number;
}

/**
 * Accepts agents' access tokens on /v1: builds the one cached subject resolver, registers the
 * agent resolver that uses it, and drops a cached agent when its status or fields change here.
 * Returns the resolver for the decision point, which must share it (one verification per
 * token), and the unsubscribe for shutdown.
 */
export function acceptAgentTokens(setup: AgentTokensSetup): { subjects: TokenSubjects; stop(): void } {
  const { authenticator, tokens, proofs, agents, audience, clock, skewSeconds, cacheEntries } = setup;
  const subjects = new TokenSubjects({
    tokens,
    agentByClientId: (clientId) => agents.getByClientId(clientId),
    clock,
    skewSeconds,
    ...(cacheEntries === undefined ? {} : { maxEntries: cacheEntries }),
  });
  authenticator.register(agentTokenResolver({ subjects, proofs, audience }));
  const stopStatus = agents.onStatusChange((change) => subjects.forgetAgent(change.clientId));
  // A narrowed agent (scopes, tools, ceiling) is judged by its new record from the next call on.
  const stopUpdate = agents.onUpdate((agent) => subjects.forgetAgent(agent.clientId));
  return {
    subjects,
    stop: () => {
      stopStatus();
      stopUpdate();
    },
  };
}
