import { MandateSdkError } from '../shared/errors.js';

/**
 * OAuth error responses (RFC 6749 §5.2, RFC 6750 §3.1, RFC 8707, RFC 9449) as one class per
 * `error` code, as oidc-provider's helpers/errors.js: callers catch `InvalidClientError`
 * instead of parsing strings. `code` is the OAuth code, `description` the server's text.
 */
export class OAuthError extends MandateSdkError {
  readonly description: string | undefined;
  readonly status: number;
  readonly uri: string | undefined;
  constructor(code: string, status: number, description?: string, uri?: string) {
    super(code, description ? `${code}: ${description}` : code);
    this.description = description;
    this.status = status;
    this.uri = uri;
  }

  /** 5xx and `temporarily_unavailable` may succeed later; every other OAuth error will not. */
  get retryable(): boolean {
    return this.status >= 500;
  }
}

export class InvalidRequestError extends OAuthError {}
export class InvalidClientError extends OAuthError {}
export class InvalidGrantError extends OAuthError {}
export class UnauthorizedClientError extends OAuthError {}
export class UnsupportedGrantTypeError extends OAuthError {}
export class InvalidScopeError extends OAuthError {}
export class InvalidTargetError extends OAuthError {}
export class InvalidTokenError extends OAuthError {}
export class InsufficientScopeError extends OAuthError {}
export class InvalidDpopProofError extends OAuthError {}
export class UseDpopNonceError extends OAuthError {}
export class AccessDeniedError extends OAuthError {}
export class ServerError extends OAuthError {}
export class TemporarilyUnavailableError extends OAuthError {}

/**
 * A delegation beyond the approval depth waits for a human (Mandate's token exchange, as CIBA's
 * `authorization_pending`): retry `delegate()` with `approvalId` once the approval is granted.
 */
export class AuthorizationPendingError extends OAuthError {
  approvalId: string | undefined;
  constructor(code: string, status: number, description?: string, uri?: string) {
    super(code, status, description, uri);
    this.approvalId = undefined;
  }
}

type OAuthErrorClass = new (code: string, status: number, description?: string, uri?: string) => OAuthError;

/** Each OAuth `error` code and its class; unknown codes become a plain OAuthError. */
const OAUTH_ERRORS: Record<string, OAuthErrorClass> = {
  invalid_request: InvalidRequestError,
  invalid_client: InvalidClientError,
  invalid_grant: InvalidGrantError,
  unauthorized_client: UnauthorizedClientError,
  unsupported_grant_type: UnsupportedGrantTypeError,
  invalid_scope: InvalidScopeError,
  invalid_target: InvalidTargetError,
  invalid_token: InvalidTokenError,
  insufficient_scope: InsufficientScopeError,
  invalid_dpop_proof: InvalidDpopProofError,
  use_dpop_nonce: UseDpopNonceError,
  access_denied: AccessDeniedError,
  server_error: ServerError,
  temporarily_unavailable: TemporarilyUnavailableError,
  authorization_pending: AuthorizationPendingError,
};

/**
 * The typed error for an OAuth error response. A body without an `error` member (a proxy's HTML
 * page, an empty 502) still yields an error with the HTTP status, so 5xx stays retryable.
 */
export function oauthErrorFrom(status: number, body: unknown): OAuthError {
  const record = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const code = typeof record.error === 'string' && record.error ? record.error : status >= 500 ? 'server_error' : 'invalid_request';
  const description = typeof record.error_description === 'string' ? record.error_description : undefined;
  const uri = typeof record.error_uri === 'string' ? record.error_uri : undefined;
  const Class = OAUTH_ERRORS[code] ?? OAuthError;
  // temporarily_unavailable is sent with 503 by most servers; honour the code even when sent as 400.
  const effectiveStatus = code === 'temporarily_unavailable' && status < 500 ? 503 : status;
  const error = new Class(code, effectiveStatus, description ?? (record.error ? undefined : `HTTP ${status}`), uri);
  if (error instanceof AuthorizationPendingError && typeof record.approval_id === 'string') error.approvalId = record.approval_id;
  return error;
}
