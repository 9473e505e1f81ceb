import { ForbiddenError, NotFoundError } from '../shared/errors.js';
import type { Tx } from '../storage/index.js';
import type { AgentStore } from './store.js';
import type { AgentRow } from './tables.js';
import type { AccessScope } from './types.js';

/** ForbiddenError (403) when an owner-scoped caller reaches for another owner's agent. */
export function assertAccess(owner: string, id: string, access: AccessScope): void {
  if (access.owner !== undefined && owner !== access.owner) {
    throw new ForbiddenError(`agent '${id}' belongs to another owner; an owner manages only its own agents`, { id });
  }
}

/** The agent a change is about, locked for the transaction: NotFoundError (404) when unknown, 403 outside `access`. */
export async function lockForChange(agents: AgentStore, trx: Tx, id: string, access: AccessScope): Promise<AgentRow> {
  const row = await agents.lockById(trx, id);
  if (!row) throw new NotFoundError('agent', id);
  assertAccess(row.owner, id, access);
  return row;
}
