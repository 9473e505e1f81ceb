import { createHash } from 'node:crypto';
import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { MandateError, ValidationError } from '../shared/errors.js';
import type { RegistryDeps } from './deps.js';
import { checkNewAgent } from './fields.js';
import { newAgentRow } from './record.js';
import { checkId } from './rules.js';
import type { NewAgent } from './types.js';

/** Most agents one bulk call inserts (one transaction): bounds its memory and its lock time. */
export const BULK_REGISTER_MAX = 10_000;

/**
 * An agent imported in bulk: a registration with its id given and its client secret's hash
 * precomputed by the caller (`sha256:<hex>`, as crypto/hashSecret writes it), so that importing a
 * large registry does not hash a fresh secret per agent. Nothing is returned: the caller holds the secrets.
 */
export interface BulkAgent extends NewAgent {
  id: string;
  clientSecretHash: string;
}

const SECRET_HASH = /^sha256:[0-9a-f]{64}$/;

/** A field problem of agent `index`, named so the caller can find it in a batch of thousands. */
function atIndex<T>(index: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof MandateError) throw new ValidationError(`agents[${index}]: ${error.message}`, { index, ...(error.details ?? {}) });
    throw error;
  }
}

/**
 * Registers up to BULK_REGISTER_MAX agents in one transaction (migrations and benchmarks that
 * need a large registry): every agent validated as `register` validates it, then all rows and one
 * `agent.bulk_registered` audit entry (count, first and last id, SHA-256 of the ids in order) commit
 * together. Any invalid agent or taken id refuses the whole batch: nothing is written.
 */
export async function bulkRegister(deps: RegistryDeps, agents: readonly BulkAgent[], actor: Actor): Promise<{ count: number }> {
  if (agents.length === 0) return { count: 0 };
  if (agents.length > BULK_REGISTER_MAX) throw new ValidationError(`at most ${BULK_REGISTER_MAX} agents per bulk registration (got ${agents.length})`, { limit: BULK_REGISTER_MAX });
  const at = isoTime(deps.clock.now());
  const seen = new Set<string>();
  const rows = agents.map((agent, index) =>
    atIndex(index, () => {
      const id = checkId(agent.id);
      if (seen.has(id)) throw new ValidationError(`id '${id}' appears twice in the batch`, { field: 'id' });
      seen.add(id);
      if (typeof agent.clientSecretHash !== 'string' || !SECRET_HASH.test(agent.clientSecretHash)) {
        throw new ValidationError('clientSecretHash must be sha256:<64 hex digits>', { field: 'clientSecretHash' });
      }
      return newAgentRow(id, checkNewAgent(agent, deps.settings.tokenTtl), agent.clientSecretHash, at, actor);
    }),
  );
  const ids = rows.map((row) => row.id);
  return deps.audit.withEntry(async (trx) => {
    await deps.agents.insertMany(trx, rows);
    const details = { count: rows.length, first_id: ids[0], last_id: ids.at(-1), ids_sha256: createHash('sha256').update(ids.join('\n')).digest('hex') };
    return { result: { count: rows.length }, events: [{ type: 'agent.bulk_registered', actor, action: 'bulk_register', outcome: 'success', details }] };
  });
}
