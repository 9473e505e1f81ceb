import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError } from '../shared/errors.js';
import { lockForChange } from './access.js';
import { newClientSecret } from './credentials.js';
import type { RegistryDeps } from './deps.js';
import { agentEvent, agentFromRow } from './record.js';
import type { AgentRow } from './tables.js';
import type { AccessScope, RotatedSecret } from './types.js';

/**
 * Issues a new client secret (returned once). The replaced secret keeps working for
 * registry.secretRotationOverlapSeconds so running agents can switch without downtime.
 */
export async function rotateClientSecret(deps: RegistryDeps, id: string, actor: Actor, access: AccessScope): Promise<RotatedSecret> {
  const { secret, hash } = newClientSecret();
  return deps.audit.withEntry(async (trx) => {
    const row = await lockForChange(deps.agents, trx, id, access);
    if (row.status === 'decommissioned') throw new ConflictError(`agent '${id}' is decommissioned and holds no credentials`, { status: row.status });
    const now = deps.clock.now();
    const at = isoTime(now);
    const overlapMs = deps.settings.secretRotationOverlapSeconds * 1000;
    const keepPrevious = overlapMs > 0 && row.client_secret_hash !== null;
    const previousSecretExpiresAt = keepPrevious ? isoTime(now + overlapMs) : null;
    const set: Partial<AgentRow> = {
      client_secret_hash: hash,
      client_secret_issued_at: at,
      previous_secret_hash: keepPrevious ? row.client_secret_hash : null,
      previous_secret_expires_at: previousSecretExpiresAt,
      updated_at: at,
    };
    await deps.agents.update(trx, id, set);
    const agent = agentFromRow({ ...row, ...set }, now, deps.settings.reviewIntervalDays);
    return {
      result: { agent, clientId: row.client_id, clientSecret: secret, previousSecretExpiresAt },
      events: [agentEvent('agent.secret_rotated', 'rotate-secret', actor, id, { previous_secret_expires_at: previousSecretExpiresAt })],
    };
  });
}
