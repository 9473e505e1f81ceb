import type { Actor, AuditEvent } from '../audit/index.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { RegistryDeps } from './deps.js';
import { wireFields, type AgentFields } from './fields.js';
import type { GrantRequestRow } from './tables.js';
import { GRANT_REQUEST_STATUSES, type GrantRequest, type GrantRequestStatus } from './types.js';

/** Reading grant requests, and the shapes the other grant use cases share. */

/** Most grant requests one list returns. */
export const GRANT_LIST_MAX = 500;

export function grantFromRow(row: GrantRequestRow): GrantRequest {
  const requested = JSON.parse(row.request) as Partial<AgentFields> & { id?: string };
  const { id, ...fields } = requested;
  return {
    id: row.id,
    kind: row.kind as GrantRequest['kind'],
    agentId: row.agent_id,
    requested: { ...(id === undefined ? {} : { id }), ...wireFields(fields) },
    exceeds: JSON.parse(row.exceeds) as Record<string, unknown>,
    status: row.status as GrantRequestStatus,
    requestedBy: row.requested_by,
    requesterEmail: row.requester_email,
    createdAt: row.created_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
  };
}

/** An audit event about a grant request (its subject), naming the agent when there is one. */
export function grantEvent(type: string, action: string, actor: Actor, requestId: string, agentId: string | null, details: Record<string, unknown>): AuditEvent {
  return { type, actor, subject: requestId, ...(agentId === null ? {} : { agentId }), action, outcome: 'success', details };
}

export async function getGrantRequest(deps: RegistryDeps, id: string): Promise<GrantRequest> {
  const row = await deps.grants.byId(id);
  if (!row) throw new NotFoundError('grant request', id);
  return grantFromRow(row);
}

export async function listGrantRequests(deps: RegistryDeps, status: string | undefined, limit = 100): Promise<GrantRequest[]> {
  if (status !== undefined && !(GRANT_REQUEST_STATUSES as readonly string[]).includes(status)) {
    throw new ValidationError(`status must be one of ${GRANT_REQUEST_STATUSES.join(', ')}`, { field: 'status' });
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > GRANT_LIST_MAX) throw new ValidationError(`limit must be between 1 and ${GRANT_LIST_MAX}`, { field: 'limit' });
  return (await deps.grants.list(status, limit)).map(grantFromRow);
}
