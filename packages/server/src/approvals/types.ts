import type { Actor, AuditEvent, DelegationLink } from '../audit/index.js';
import type { Role } from '../operators/index.js';
import type { Tx } from '../storage/index.js';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'used'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** What raised the request: a policy decision, a delegation beyond the approval depth, or the agent itself. */
export const APPROVAL_ORIGINS = ['decision', 'delegation', 'agent'] as const;
export type ApprovalOrigin = (typeof APPROVAL_ORIGINS)[number];

/** The resource an action is on, as the decision point sees it. */
export interface ApprovalResource {
  type: string;
  id: string;
  owner?: string | undefined;
  sensitivity?: string | undefined;
  /** Further attributes are kept and covered by the binding hash as given. */
  [attribute: string]: unknown;
}

/**
 * The exact request an approval covers: everything the policy saw that came from the caller.
 * Its hash binds the approval (binding.ts).
 */
export interface BoundRequest {
  agentId: string;
  action: string;
  tool: string;
  resource: ApprovalResource;
  onBehalfOf?: string | null | undefined;
  /** The caller's `context` as the policy sees it (`input.context`); absent means `{}`. */
  requestContext?: Record<string, unknown> | undefined;
  /** The requesting agent's delegation chain, outermost (the original subject) first; absent means the agent alone. */
  chain?: DelegationLink[] | undefined;
}

export interface NewApprovalRequest extends BoundRequest {
  /** The agent's stated reason, shown to the humans deciding. */
  reason: string;
  origin: ApprovalOrigin;
  /** Extra facts from the server for the deciders (decision id, reasons of the policy, …); not bound. */
  context?: Record<string, unknown> | undefined;
}

/**
 * Entries another context records in the same transaction as an approval's change (the decision
 * point's `policy.decision` entry with the request it creates or the approval it spends): the
 * change and these entries commit together or not at all. Given the approval's id and that
 * transaction, in which the caller may also write rows of its own tables (delegation's chain
 * link with the approval that admits it); should it throw, the approval's change rolls back.
 */
export type RecordAlongside = (approvalId: string, trx: Tx) => AuditEvent[] | Promise<AuditEvent[]>;

export interface RecordedApproval {
  operatorId: string;
  email: string;
  at: string;
  reason: string | null;
}

export interface Approval {
  id: string;
  /** The status as of the service's clock: a pending or approved request past its expiry reads `expired`. */
  status: ApprovalStatus;
  agentId: string;
  chain: DelegationLink[];
  onBehalfOf: string | null;
  action: string;
  tool: string;
  resource: ApprovalResource;
  reason: string;
  origin: ApprovalOrigin;
  /** The server's facts for the deciders (not bound). */
  context: Record<string, unknown> | null;
  /** The caller's context the approval is bound to (`{}` for requests made before it was bound). */
  requestContext: Record<string, unknown>;
  bindingHash: string;
  requiredApprovals: number;
  approvals: RecordedApproval[];
  requestedBy: Actor;
  createdAt: string;
  expiresAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  usedAt: string | null;
}

/** Who is trying to decide. Agents are listed so that the refusal is the service's, and audited. */
export type Decider =
  | { kind: 'operator'; id: string; email: string; roles: readonly Role[] }
  | { kind: 'agent'; id: string };

export type Decision = 'approve' | 'deny';

/** Why an approval cannot be consumed; stable codes the decision point can switch on. */
export const REFUSALS = {
  not_found: 'no approval with this id',
  pending: 'the approval has not been decided yet',
  denied: 'the approval was denied',
  expired: 'the approval has expired',
  used: 'the approval has already been used',
  wrong_agent: 'the approval was requested by another agent',
  mismatch: 'the approval covers a different request (action, tool, resource, context, user or delegation chain)',
} as const;
export type RefusalCode = keyof typeof REFUSALS;

export type ConsumeResult =
  | { ok: true; approval: Approval }
  | { ok: false; code: RefusalCode; message: string; /** the deciders' reason, for `denied` */ denialReason?: string | null; approval?: Approval };

export interface ListFilter {
  status?: ApprovalStatus | undefined;
  agentId?: string | undefined;
  onBehalfOf?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}
