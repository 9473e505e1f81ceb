/**
 * The OAuth context's public face: Mandate's authorization server. `OAuthService` is what the
 * composition root builds and the routes call (one method per endpoint, each endpoint a use
 * case in endpoints/, each grant a module in grants/), plus the ports it plugs into identity
 * (agents' access tokens, DPoP proofs, resource servers' credentials), the OAuth errors the
 * routes render in RFC 6749's shape, and the types other contexts read (a verified token's
 * claims, a resource server). Its tables and migrations are its own (tables.ts, migrations/).
 */
export { OAuthService, type FeedRequest, type OAuthRequest, type OAuthServiceOptions } from './service.js';
export { AccessDenied, InvalidClient, InvalidRequest, OAuthError, RateLimited, ServerError } from './errors.js';
export { TokenBuckets } from './rate-limit.js';
export { OAUTH_METRICS } from './metrics.js';
export type { TokenResponse } from './grants/types.js';
export type { FeedPage, RevocationEvent } from './revocation.js';
export type { NewResourceServer, ResourceServer } from './resource-servers.js';
export type { AccessTokenClaims, VerifiedAccessToken } from './verifier.js';
export { LIVE_TOKENS_MAX, liveTokensOf, type IssuedTokenLog, type LiveToken } from './live-tokens.js';
export { oauthMigrations } from './migrations/index.js';
export { certificateThumbprint, type ClientCertificates } from './tls-client-auth.js';
export type { FederatedAssertions } from './federated-assertion.js';
export { rewrapSigningKeys } from './keys/rewrap.js';
