/**
 * The delegation context's public face: chains of agents acting for a user (issue 12). The
 * composition root builds `DelegationService` (trusted identity providers with their cached
 * JWKS, verification of users' tokens and ID-JAGs, one delegation step under the narrowing
 * rules with a human's approval beyond the approval depth, the record of every link) and joins
 * `delegationMigrations`; the token endpoint's grants (oauth/grants/token-exchange.ts,
 * id-jag.ts) call it and turn `DelegationRefused` into OAuth errors; the decision point reads a
 * token's chain with `chainOf`; the HTTP plugin and CLI manage the trusted issuers. The pure
 * rules (narrowing.ts, permissions.ts, rules.ts) are exported for tests and docs.
 */
export { DelegationService, type DelegationServiceOptions } from './service.js';
export { DelegationRefused } from './errors.js';
export { RULES, type Refusal, type RuleName } from './rules.js';
export { narrow, type ActingAgent, type DelegationSettings, type ParentGrant, type Step, type StepRequest } from './narrowing.js';
export { ACTIONS, expand, pairCounts, reduction, uncovered, universeOf } from './permissions.js';
export { chainOf, parentFromAccessToken, type DelegationClaim, type DelegationParent, type TokenChain } from './claims.js';
export type { DelegatedGrant, StepInput } from './exchange.js';
export { ID_JAG_TYP, type IdentityAssertion } from './assertions.js';
export { IDP_LIMITS, type NewTrustedIssuer, type TrustedIssuer } from './idps.js';
export { DEFAULT_JWKS_LIMITS, type JwksLimits } from './jwks.js';
export { AGENT_CHAINS_MAX, AGENT_LINKS_MAX, type DelegationLink } from './links.js';
export { delegationMigrations } from './migrations/index.js';
