/**
 * The approvals context's public face: human approval of one exact action. The composition root
 * builds the service with `createApprovals` (its timed jobs go on the scheduler) and joins
 * `approvalMigrations`; the HTTP plugin maps callers onto the service and shows approvals with
 * `approvalView`; the decision point checks a presented approval against the request's
 * `bindingHash`, spends it with `consume`, and reuses a pending request through `pendingFor`;
 * delegation checks one with `check` and spends it with `consume`, its chain link written in
 * the spending transaction (`RecordAlongside`);
 * the CLI only prints `ApprovalView`. The table, its SQL (store.ts) and the use cases behind
 * the service (create, decide, consume, expire, list, wait) stay inside: no other context
 * queries `approvals`.
 */
export { createApprovals, type ApprovalsSetup } from './setup.js';
export { ApprovalService, type ApprovalNotifier, type ApprovalPage, type ApprovalServiceOptions, type ApprovalSettings } from './service.js';
export { approvalMigrations } from './migrations/index.js';
export {
  APPROVAL_ORIGINS,
  APPROVAL_STATUSES,
  REFUSALS,
  type Approval,
  type ApprovalOrigin,
  type ApprovalResource,
  type ApprovalStatus,
  type BoundRequest,
  type ConsumeResult,
  type Decider,
  type Decision,
  type ListFilter,
  type NewApprovalRequest,
  type RecordAlongside,
  type RecordedApproval,
  type RefusalCode,
} from './types.js';
export { TooManyPendingError } from './errors.js';
export { approvalView, type ApprovalView } from './view.js';
export { bindingHash, normaliseResource } from './binding.js';
export { isDelegatingUser } from './deciders.js';
export { delegationFromClaims, type TokenDelegation } from './chain.js';
/** The signed webhook sender (and its receiver-side check), reused by monitoring for alerts. */
export { SIGNATURE_HEADER, verifySignatureHeader, WebhookNotifier, type WebhookMessage, type WebhookSettings } from './webhook.js';
export { deadlineSleep } from './deadline-sleep.js';
