import type { Approval } from './types.js';

/**
 * The JSON form of an approval, shared by the API, the CLI's `--json` and the webhook body,
 * so all three show the same field names (snake_case, as every /v1 response).
 */
export function approvalView(a: Approval) {
  return {
    id: a.id,
    status: a.status,
    agent_id: a.agentId,
    chain: a.chain,
    on_behalf_of: a.onBehalfOf,
    action: a.action,
    tool: a.tool,
    resource: a.resource,
    reason: a.reason,
    origin: a.origin,
    /** The caller's context the approval is bound to: what the approver approves. */
    request_context: a.requestContext,
    /** The server's facts for the deciders (decision id, policy reasons); not bound. */
    context: a.context,
    binding_hash: a.bindingHash,
    required_approvals: a.requiredApprovals,
    approvals: a.approvals.map((r) => ({ operator_id: r.operatorId, email: r.email, at: r.at, reason: r.reason })),
    created_at: a.createdAt,
    expires_at: a.expiresAt,
    decided_by: a.decidedBy,
    decided_at: a.decidedAt,
    decision_reason: a.decisionReason,
    used_at: a.usedAt,
  };
}

export type ApprovalView = ReturnType<typeof approvalView>;
