import type { RegistryService } from '../registry/index.js';
import { epochSeconds } from '../shared/clock.js';
import { AGENT_CACHE_SECONDS, type AgentAuthentication } from './agent-authentication.js';
import { mayHoldTokens } from './agent-status.js';
import type { Revocations } from './revocation.js';

/**
 * What an agent's status change means for its tokens. Returns the unsubscribe.
 *
 * The mark, its feed event and their audit entry commit with the status change itself: a
 * crash can never leave a committed suspension that SDK verifiers (who read only the feed) do
 * not hear about. Lock order: agent row (registry), feed head (here), audit head (last).
 * After commit, in memory only: the cached authentication is dropped and waiting feed readers
 * are woken.
 */
export function followAgentStatus(registry: RegistryService, revocations: Revocations, agents: AgentAuthentication): () => void {
  const unsubscribers = [
    registry.onStatusChangeInTransaction(async (trx, change) => {
      if (mayHoldTokens(change.to)) return [];
      // Later than the change by the agent cache's lifetime: covers tokens that a replica
      // whose cache still held the agent as active issued just after the change.
      const notBefore = epochSeconds(Date.parse(change.at)) + AGENT_CACHE_SECONDS;
      const { events } = await revocations.revokeAgentIn(trx, change.agentId, change.clientId, notBefore, change.actor, `agent ${change.action}`);
      return { events, revoked: [{ kind: 'tokens', id: change.clientId, detail: `every access token of the client issued before ${new Date(notBefore * 1000).toISOString()}` }] };
    }),
    registry.onStatusChange((change) => {
      agents.forget(change.clientId);
      if (!mayHoldTokens(change.to)) revocations.published();
    }),
    // Field edits here, and any change on another replica (its notice): the cached
    // authentication would hand out tokens from the old record for up to a second.
    registry.onUpdate((agent) => agents.forget(agent.clientId)),
  ];
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
