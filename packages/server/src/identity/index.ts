/**
 * The identity context's public face: who a caller is. It owns the principals (operator,
 * agent, resource server; a person signed in at an IdP joins as one more kind) and turns a
 * request's credentials into one: operators' tokens, agents' Bearer and DPoP access tokens,
 * resource servers' client credentials. The contexts that issue those credentials plug in
 * through the ports it declares (resolvers.ts): identity imports neither operators nor oauth
 * nor http (of the registry only the Agent type) and sits below every context that asks it. Agents' tokens go through one cached subject resolver
 * (subjects.ts), shared by every /v1 route and the decision point: a token is verified once.
 */
export { Authenticator, bearerToken } from './authenticator.js';
export type { AccessTokenClaims, ActClaim, AgentContextClaim } from './claims.js';
export { decisionCaller, type DecisionCaller, type DecisionCallerOptions } from './decision-caller.js';
export type { AgentPrincipal, OperatorPrincipal, PersonPrincipal, Principal, RequestContext, ResourceServerPrincipal } from './principal.js';
export type { AgentDirectory, AgentTokenSource, CredentialResolver, ProofOfPossession, ResourceServerResolver, Subject } from './resolvers.js';
export { ROLES, type Role } from './roles.js';
export { acceptAgentTokens, type AgentTokensSetup } from './setup.js';
export { TokenSubjects } from './subjects.js';
