/**
 * @mandate/sdk: what runs inside agents (AgentAuthService, an authorized fetch) and resource
 * servers (createTokenVerifier with Fastify and fetch-style middleware).
 */
export { systemClock, ManualClock, realSleep, type Clock, type Sleeper } from './shared/clock.js';
export { MandateSdkError, NetworkError, ResponseError, DiscoveryError, ApiError } from './shared/errors.js';
export type { FetchLike } from './shared/http.js';
export { DEFAULT_RETRY, type RetryPolicy } from './shared/retry.js';
export { parseWwwAuthenticate, type Challenge } from './shared/www-authenticate.js';

export {
  OAuthError,
  InvalidRequestError,
  InvalidClientError,
  InvalidGrantError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  InvalidScopeError,
  InvalidTargetError,
  InvalidTokenError,
  InsufficientScopeError,
  InvalidDpopProofError,
  UseDpopNonceError,
  AccessDeniedError,
  ServerError,
  TemporarilyUnavailableError,
  AuthorizationPendingError,
  oauthErrorFrom,
} from './oauth/errors.js';
export { discoverMetadata, metadataUrl, type AuthorizationServerMetadata } from './oauth/metadata.js';
export { CLIENT_ASSERTION_TYPE, type ClientAuth, type ClientAuthMethod } from './oauth/client-auth.js';
export { generateDpopKey, dpopKeyFrom, createDpopProof, htuOf, type DpopKey, type DpopAlgorithm } from './oauth/dpop.js';

export { AgentAuthService, type AgentAuthOptions, type DelegationRequest, type TokenRequest } from './agent/auth-service.js';
export type { TokenSet } from './agent/token-set.js';
export type { AuthorizedFetchOptions } from './agent/authorized-fetch.js';

export {
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
  type RevocationOptions,
  type VerifyOptions,
  type RequestCredentials,
} from './verifier/verifier.js';
export { TokenVerificationError, VERIFICATION_ERRORS, wwwAuthenticate, errorBody, type VerificationErrorCode } from './verifier/errors.js';
export type { AccessTokenClaims, ActorClaim, Actor, VerifiedAccessToken } from './verifier/claims.js';
export { FeedUnavailableError, type FeedCredentials } from './verifier/revocation-feed.js';
export { RevocationState, type RevocationEvent } from './verifier/revocation-state.js';
export { ASYMMETRIC_ALGORITHMS } from './verifier/algorithms.js';

export { fastifyPreHandler, type FastifyLikeRequest, type FastifyLikeReply, type MiddlewareOptions, type MandateAuthenticatedRequest } from './middleware/fastify.js';
export { withTokenVerification, refusalResponse, type AuthenticatedHandler, type FetchMiddlewareOptions } from './middleware/fetch-handler.js';

export { ApiClient, type ApiClientOptions, type ApiCredentials } from './api/client.js';
export { MandateClient, type GuardedDecision } from './api/mandate-client.js';
export { authorize, type AuthorizeRequest, type AuthorizationDecision, type DecisionOutcome, type ResourceRef } from './api/authorize.js';
export { requestApproval, getApproval, waitForApproval, type Approval, type ApprovalRequest, type ApprovalStatus } from './api/approvals.js';
export type { BrowserSession, OwnBrowserSession } from './api/sessions.js';
export type { Alert } from './api/alerts.js';
export { SecretsApi, getSecret, type Secret } from './secrets/secrets.js';
export { DatabaseApi, DatabaseCredentials, TasksApi, type CredentialOptions, type LeaseInfo } from './secrets/db.js';
export { RotatingPgPool, rotatingPgPool, type PoolConstructor, type PoolLike, type RotatingPoolOptions } from './secrets/pg-pool.js';
export { PolicyEnforcer, enforcePolicy, resourceServerDecider, APPROVAL_HEADER, type ActionDescription, type Decider, type EnforcerOptions, type Enforcement } from './enforce.js';
export {
  protectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataUrl,
  resourceChallenge,
  canonicalResource,
  type ProtectedResourceMetadata,
  type ProtectedResourceOptions,
} from './resource/protected-resource.js';
