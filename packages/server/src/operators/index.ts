/**
 * The operators context's face: the humans who run Mandate, their roles and their bearer
 * tokens. Callers use only what is exported here: `OperatorService` (behind it accounts.ts and
 * tokens.ts; `verifyToken` tells who holds an operator token), the operator types, the
 * grant ceilings of owners (`checkCeiling`, `ceilingView`; the registry enforces them), the
 * roles-and-permissions table (`can`, `reachOf`: routes and other contexts ask it, never test
 * role names), the token prefix (so a credential can be told apart by its shape), and the
 * context's migrations. Its errors are the shared ones (shared/errors.ts). The `operators` and
 * `operator_tokens` tables and their SQL (tables.ts, store.ts) stay inside.
 */
export { BOOTSTRAP_OPERATOR_ID, OperatorService } from './service.js';
export type { GrantCeiling, IssuedToken, NewOperator, Operator, TokenHolder } from './types.js';
export { ceilingView, checkCeiling, MAX_CEILING_ENTRIES } from './ceiling.js';
export { can, reachOf, ROLES, type Permission, type Role } from './roles.js';
export { OPERATOR_TOKEN_PREFIX } from './tokens.js';
export { operatorMigrations } from './migrations/index.js';
