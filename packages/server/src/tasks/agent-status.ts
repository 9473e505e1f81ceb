import type { LeaseManager } from '../leases/index.js';
import { mayObtainCredentials, type RegistryService } from '../registry/index.js';
import type { TaskService } from './service.js';

/**
 * What an agent's suspension or decommission means for what the secrets engine issued it:
 * inside the status change's own transaction, its open tasks are cancelled and every live
 * lease is marked for revocation (a crash after commit leaves them due for the next sweep,
 * never forgotten), and the listing goes to the decommission's response; right after commit
 * the marked leases are revoked, so the response comes back with the roles already dropped.
 * Returns the unsubscribe.
 */
export function revokeWithAgentStatus(registry: RegistryService, tasks: TaskService, leases: LeaseManager): () => void {
  const unsubscribers = [
    registry.onStatusChangeInTransaction(async (trx, change) => {
      if (mayObtainCredentials(change.to)) return [];
      const reason = `agent ${change.action}`;
      const cancelled = await tasks.cancelForAgentIn(trx, change.agentId, change.actor);
      const marked = await leases.markIn(trx, { agentId: change.agentId }, reason, change.actor);
      // Leases of the cancelled tasks are marked already, so `marked` holds only the others.
      return { events: [...cancelled.events, ...marked.events], revoked: [...cancelled.revoked, ...marked.ids.map((id) => ({ kind: 'lease', id }))] };
    }),
    registry.onStatusChange(async (change) => {
      if (mayObtainCredentials(change.to)) return;
      const pending = await leases.list({ agentId: change.agentId }, ['revoking']);
      await leases.revokeMarked(pending.map((lease) => lease.id), change.actor);
    }),
  ];
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
