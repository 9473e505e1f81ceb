/**
 * The registry's face: agents and their lifecycle. Other contexts, the HTTP routes, the CLI and
 * the composition root use only what is exported here: `RegistryService` (behind it one use
 * case per file: register, bulk-register, update, transition, review, rotate-secret, authenticate, query, and
 * grant-hold / grant-decide / grant-read for owner grants beyond the ceiling held for an admin), the
 * `Agent` types, the tables every caller may read (data classifications, lifecycle statuses and
 * actions, field limits for request schemas), the status-change hooks' types, and the context's
 * migrations. Its errors are the shared ones (shared/errors.ts: 404, 403, 409 and
 * IllegalTransitionError). The `agents` table, its rows and its SQL (tables.ts, store.ts) stay
 * inside: what another context needs from them is a method of the service.
 */
export { RegistryService, type RegistryOptions, type RegistrySettings } from './service.js';
export type { RegisterOutcome, Requester, UpdateOutcome } from './grant-hold.js';
export type { GrantDecision } from './grant-decide.js';
export type {
  AccessScope,
  Agent,
  AgentFilter,
  AgentPage,
  AgentPatch,
  AgentReview,
  GrantDecider,
  GrantLimit,
  GrantRequest,
  GrantRequestStatus,
  NewAgent,
  PageRequest,
  RegisteredAgent,
  RotatedSecret,
  StatusChange,
  StatusChangeListener,
  StatusChangeTxListener,
  StatusContribution,
  TransitionOutcome,
} from './types.js';
export {
  classificationRank,
  CLASSIFICATION_NAMES,
  DATA_CLASSIFICATIONS,
  isDataClassification,
  permitsClassification,
  type DataClassification,
} from './classification.js';
export { AGENT_STATUSES, isAgentStatus, LIFECYCLE_ACTION_NAMES, mayObtainCredentials, type AgentStatus, type LifecycleAction } from './lifecycle.js';
export { FIELD_LIMITS, type TtlRange } from './rules.js';
export { GRANT_CEILING_RULE } from './ceiling.js';
export { GRANT_REQUEST_STATUSES } from './types.js';
export { GRANT_LIST_MAX } from './grant-read.js';
export { BULK_REGISTER_MAX, type BulkAgent } from './bulk-register.js';
export { MAX_JWKS_KEYS, type PublicJwk, type PublicJwks } from './jwks.js';
export { registryMigrations } from './migrations/index.js';
