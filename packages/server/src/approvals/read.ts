import { isoTime } from '../shared/clock.js';
import { NotFoundError } from '../shared/errors.js';
import { bindingHash } from './binding.js';
import type { ApprovalDeps } from './deps.js';
import { toApproval } from './rows.js';
import { newestPending, rowById } from './store.js';
import type { Approval, BoundRequest } from './types.js';

/** Reading one request, with its status as of the clock. */

export async function find(deps: ApprovalDeps, id: string): Promise<Approval | null> {
  const row = await rowById(deps.db, id);
  return row ? toApproval(row, deps.clock.now()) : null;
}

export async function get(deps: ApprovalDeps, id: string): Promise<Approval> {
  const approval = await find(deps, id);
  if (!approval) throw new NotFoundError('approval', id);
  return approval;
}

/**
 * The agent's newest request for exactly this request (the same binding hash) that is still
 * pending, or null: a caller about to ask again (the decision point) reuses it instead.
 */
export async function pendingFor(deps: ApprovalDeps, request: BoundRequest): Promise<Approval | null> {
  const row = await newestPending(deps.db, request.agentId, bindingHash(request), isoTime(deps.clock.now()));
  return row ? toApproval(row, deps.clock.now()) : null;
}
