import { tablesOf, type Executor } from '../storage/index.js';
/** One human approval request as stored. JSON columns are text so both dialects store them alike. */
export interface ApprovalRow {
  id: string;
  /** The agent that asked (the only agent that may later present the approval). */
  agent_id: string;
  /** JSON array of delegation links, outermost (the original subject) first. */
  chain: string;
  /** The human the agent acts for, when known. */
  on_behalf_of: string | null;
  action: string;
  tool: string;
  /** JSON object: `{type, id, owner?, sensitivity?, …}`. */
  resource: string;
  reason: string;
  /** What raised it: `decision`, `delegation` or `agent`. */
  origin: string;
  /** JSON object with the server's extra facts for the humans deciding, or null (not bound). */
  context: string | null;
  /** JSON object: the caller's context the approval is bound to (`{}` before migration 009). */
  request_context: string;
  /** SHA-256 (hex) of the RFC 8785 canonical form of what the approval covers (binding.ts). */
  binding_hash: string;
  status: string;
  /** 1, or 2 under the two-person rule. */
  required_approvals: number;
  /** JSON array of `{operator_id, email, at, reason}`: the approvals recorded so far. */
  approvals: string;
  /** Who raised the request (JSON audit actor). */
  requested_by: string;
  created_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  used_at: string | null;
  /** Bumped on every change: decisions update only the version they read (optimistic locking). */
  version: number;
  /** When the webhook's delivery finished (delivered or given up); null while it has not (migration 040). */
  notified_at: string | null;
}

export interface ApprovalTables {
  approvals: ApprovalRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const approvalTables = (executor: Executor) => tablesOf<ApprovalTables>(executor);
