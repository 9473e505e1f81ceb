import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import { randomId } from '../shared/ids.js';
import { bindingHash, normaliseChain, normaliseResource } from './binding.js';
import { MAX_TEXT, type ApprovalDeps } from './deps.js';
import { TooManyPendingError } from './errors.js';
import { toApproval } from './rows.js';
import { countPending, insertRow, markNotified } from './store.js';
import type { ApprovalRow } from './tables.js';
import { checkDisplayText } from './text.js';
import { APPROVAL_ORIGINS, type Approval, type NewApprovalRequest, type RecordAlongside } from './types.js';

function required(value: string | undefined | null, field: string, max = 200): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field} is required`, { field });
  if (value.length > max) throw new ValidationError(`${field} is longer than ${max} characters`, { field });
  return value;
}

/**
 * Records a new request (status `pending`) with its `approval.requested` entry, after checking
 * what the deciders will read and the agent's cap on pending requests; then starts the
 * notification in the background. `alongside`'s entries (the decision that asked for it) are
 * appended first in the same transaction: request and entries commit together or not at all.
 */
export async function createRequest(deps: ApprovalDeps, input: NewApprovalRequest, actor: Actor, alongside?: RecordAlongside): Promise<Approval> {
  const { settings } = deps;
  const agentId = required(input.agentId, 'agent_id');
  const action = required(input.action, 'action');
  const tool = required(input.tool, 'tool');
  const reason = required(input.reason, 'reason', MAX_TEXT);
  if (!input.resource || typeof input.resource !== 'object') throw new ValidationError('resource is required', { field: 'resource' });
  required(input.resource.type, 'resource.type');
  required(input.resource.id, 'resource.id', 1_000);
  if (!APPROVAL_ORIGINS.includes(input.origin)) throw new ValidationError(`origin must be one of ${APPROVAL_ORIGINS.join(', ')}`, { field: 'origin' });
  checkDisplayText('action', action);
  checkDisplayText('tool', tool);
  checkDisplayText('reason', reason, 'multi');
  for (const [key, value] of Object.entries(input.resource)) checkDisplayText(`resource.${key}`, value);
  checkDisplayText('on_behalf_of', input.onBehalfOf);
  const resource = normaliseResource(input.resource);
  const onBehalfOf = input.onBehalfOf ?? null;
  if (input.requestContext !== undefined && (typeof input.requestContext !== 'object' || input.requestContext === null || Array.isArray(input.requestContext))) {
    throw new ValidationError('context must be an object', { field: 'context' });
  }
  const requestContext = input.requestContext ?? {};
  const chain = normaliseChain(agentId, input.chain);
  const now = deps.clock.now();
  const row: ApprovalRow = {
    id: randomId('apr'),
    agent_id: agentId,
    chain: JSON.stringify(chain),
    on_behalf_of: onBehalfOf,
    action,
    tool,
    resource: JSON.stringify(resource),
    reason,
    origin: input.origin,
    context: input.context === undefined ? null : JSON.stringify(input.context),
    request_context: JSON.stringify(requestContext),
    binding_hash: bindingHash({ agentId, action, tool, resource, onBehalfOf, requestContext, chain }),
    status: 'pending',
    required_approvals: settings.twoPersonActions.includes(action) ? 2 : 1,
    approvals: '[]',
    requested_by: JSON.stringify(actor),
    created_at: isoTime(now),
    expires_at: isoTime(now + settings.ttlSeconds * 1000),
    decided_by: null,
    decided_at: null,
    decision_reason: null,
    used_at: null,
    version: 0,
    // Without a notifier there is nothing to deliver: handled at once.
    notified_at: deps.notifier ? null : isoTime(now),
  };
  const approval = await deps.audit.withEntry(async (trx) => {
    const cap = settings.maxPendingPerAgent;
    if (cap !== undefined && (await countPending(trx, agentId, row.created_at)) >= cap) throw new TooManyPendingError(agentId, cap);
    await insertRow(trx, row);
    return {
      result: toApproval(row, now),
      events: [
        ...((await alongside?.(row.id, trx)) ?? []),
        {
          type: 'approval.requested',
          actor,
          subject: row.id,
          agentId,
          action: 'request',
          outcome: 'success',
          details: {
            origin: row.origin,
            action,
            tool,
            resource,
            on_behalf_of: onBehalfOf,
            // The context is in the approval, not here: it may hold values the caller marked
            // sensitive for the logs; binding_hash pins it.
            chain,
            reason,
            binding_hash: row.binding_hash,
            required_approvals: row.required_approvals,
            expires_at: row.expires_at,
          },
        },
      ],
    };
  });
  deps.notifier?.deliver(approval, () => markNotified(deps.db, approval.id, isoTime(deps.clock.now())));
  return approval;
}
