import type { Actor, DelegationLink } from '../audit/index.js';
import { effectiveStatus } from './states.js';
import type { ApprovalRow } from './tables.js';
import type { Approval, ApprovalOrigin, ApprovalResource, ApprovalStatus, RecordedApproval } from './types.js';

interface StoredApproval {
  operator_id: string;
  email: string;
  at: string;
  reason: string | null;
}

export function encodeApprovals(list: readonly RecordedApproval[]): string {
  return JSON.stringify(list.map((a): StoredApproval => ({ operator_id: a.operatorId, email: a.email, at: a.at, reason: a.reason })));
}

/** The stored row as the domain sees it, with the status as of `now` (expiry applied). */
export function toApproval(row: ApprovalRow, now: number): Approval {
  const approvals = (JSON.parse(row.approvals) as StoredApproval[]).map((a) => ({ operatorId: a.operator_id, email: a.email, at: a.at, reason: a.reason }));
  return {
    id: row.id,
    status: effectiveStatus(row.status as ApprovalStatus, Date.parse(row.expires_at), now),
    agentId: row.agent_id,
    chain: JSON.parse(row.chain) as DelegationLink[],
    onBehalfOf: row.on_behalf_of,
    action: row.action,
    tool: row.tool,
    resource: JSON.parse(row.resource) as ApprovalResource,
    reason: row.reason,
    origin: row.origin as ApprovalOrigin,
    context: row.context === null ? null : (JSON.parse(row.context) as Record<string, unknown>),
    requestContext: JSON.parse(row.request_context) as Record<string, unknown>,
    bindingHash: row.binding_hash,
    requiredApprovals: Number(row.required_approvals),
    approvals,
    requestedBy: JSON.parse(row.requested_by) as Actor,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    usedAt: row.used_at,
  };
}
