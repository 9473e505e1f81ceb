import type { RegistryService } from '../registry/index.js';
import type { WorkloadService } from './service.js';

/**
 * What an agent's status change means for its certificates: leaving `active` (suspension,
 * deprecation, decommissioning) revokes every live one inside the change's own transaction,
 * so the serials are on the feed and in the CRL the moment the change is visible.
 * Returns the unsubscribe.
 */
export function revokeOnStatusChange(registry: Pick<RegistryService, 'onStatusChangeInTransaction'>, workload: WorkloadService): () => void {
  return registry.onStatusChangeInTransaction(async (trx, change) => {
    if (change.to === 'active') return [];
    const { events, serials } = await workload.revokeAgentCertificates(trx, change.agentId, change.actor, `agent ${change.action}`);
    // Listed in the transition's answer (a decommission's `revoked`), beside tokens, leases and tasks.
    return { events, revoked: serials.map((serial) => ({ kind: 'certificate', id: serial })) };
  });
}
