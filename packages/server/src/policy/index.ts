/**
 * The policy context's public face. `createPolicy` builds it for the composition root: the
 * `PolicyService` (modules and data documents with revisions, the compiled policy, OPA's data
 * API evaluation), the `DecisionPoint` behind POST /v1/authorize and `DecisionReplay` (what-if
 * replay over the decisions the audit log holds, read through audit's face). Routes and the CLI
 * get the request and result shapes, the OPA-shaped errors, the data-path parser and the
 * compiler check; `policyMigrations` joins the composition root's list. The Rego engine is
 * the @mandate/rego package; how a decision is built, decided and logged stays inside.
 */
export { createPolicy, type PolicySetup } from './setup.js';
export { compilePolicy, PolicyService, type ActivePolicy, type PolicyServiceOptions, type PolicySettings } from './service.js';
export type { PolicyState, RevisionSummary } from './store.js';
export { DecisionPoint, DECISION_EVENT, DEFAULT_PACKAGE, type AuthorizeCall, type DecisionResponse, type DecisionSettings } from './decision-point.js';
export { checkInputLimits, type Caller, type DecisionRequest } from './input.js';
export type { DecisionKind } from './outcome.js';
export { DecisionReplay, REPLAY_DEFAULT_LIMIT, REPLAY_MAX_LIMIT, type ChangedDecision, type DecisionLog, type ReplayRequest, type ReplayResult } from './replay.js';
export { PackageNotAllowedError, PolicyCompileError, PolicyEvaluationError, UnknownPackageError, type OpaErrorDetail } from './errors.js';
export { splitPath } from './data-path.js';
export { policyMigrations } from './migrations/index.js';
