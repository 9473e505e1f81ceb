import { MandateError } from '../shared/errors.js';

/**
 * One class per OAuth error (STYLE.md §4, as oidc-provider's helpers/errors.js): the class
 * fixes the RFC's `error` code and HTTP status, the message becomes `error_description`.
 * Anything that is not an OAuthError leaves the OAuth endpoints as `server_error` with no
 * internals (http/routes/oauth.ts).
 */
export class OAuthError extends MandateError {
  /** Extra response headers, e.g. `WWW-Authenticate` on invalid_client after HTTP Basic. */
  headers: Record<string, string> | undefined;

  constructor(code: string, status: number, description: string, details?: Record<string, unknown>) {
    super(code, status, description, details);
  }

  /** Extra members of the error body beyond RFC 6749's (e.g. `approval_id` of a pending delegation). */
  body: Record<string, string> | undefined;

  withBody(members: Record<string, string>): this {
    this.body = { ...(this.body ?? {}), ...members };
    return this;
  }

  withHeaders(headers: Record<string, string>): this {
    this.headers = { ...(this.headers ?? {}), ...headers };
    return this;
  }
}

/** RFC 6749 §5.2: missing or repeated parameter, unsupported value, malformed request. */
export class InvalidRequest extends OAuthError {
  constructor(description: string) {
    super('invalid_request', 400, description);
  }
}

/** RFC 6749 §5.2: client authentication failed (unknown client, bad secret, no auth, unsupported method). */
export class InvalidClient extends OAuthError {
  constructor(description: string) {
    super('invalid_client', 401, description);
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description: string) {
    super('invalid_grant', 400, description);
  }
}

/** The client is authenticated but may not use this grant (or this call). */
export class UnauthorizedClient extends OAuthError {
  constructor(description: string) {
    super('unauthorized_client', 400, description);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description: string) {
    super('unsupported_grant_type', 400, description);
  }
}

export class InvalidScope extends OAuthError {
  constructor(description: string) {
    super('invalid_scope', 400, description);
  }
}

/** RFC 8707 §2: the `resource` is unknown or not acceptable. */
export class InvalidTarget extends OAuthError {
  constructor(description: string) {
    super('invalid_target', 400, description);
  }
}

/** RFC 9449 §5: the DPoP proof is missing where required, malformed, or does not verify. */
export class InvalidDpopProof extends OAuthError {
  constructor(description: string) {
    super('invalid_dpop_proof', 400, description);
  }
}

/** RFC 7009 §2.2.1. */
export class UnsupportedTokenType extends OAuthError {
  constructor(description: string) {
    super('unsupported_token_type', 400, description);
  }
}

/** RFC 6750 §3.1: a presented access token is not valid. */
export class InvalidToken extends OAuthError {
  constructor(description: string) {
    super('invalid_token', 401, description);
  }
}

/** An authenticated caller without the right to this endpoint (e.g. an operator lacking tokens:introspect). */
export class AccessDenied extends OAuthError {
  constructor(description: string) {
    super('access_denied', 403, description);
  }
}

/** Per-client rate limit on the token endpoint; answered with `Retry-After`. */
export class RateLimited extends OAuthError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', 429, `too many token requests from this client; retry after ${retryAfterSeconds} s`);
    this.withHeaders({ 'retry-after': String(retryAfterSeconds) });
  }
}

/** RFC 6749 §4.1.2.1 `temporarily_unavailable`: the server cannot take the request now (a limit of its own); retry shortly. */
export class TemporarilyUnavailable extends OAuthError {
  constructor(description: string, retryAfterSeconds: number) {
    super('temporarily_unavailable', 503, description);
    this.withHeaders({ 'retry-after': String(retryAfterSeconds) });
  }
}

export class ServerError extends OAuthError {
  constructor(description = 'internal error') {
    super('server_error', 500, description);
  }
}

/** RFC 6749 §5.2: an invalid_client after HTTP Basic answers with this challenge. */
export const BASIC_CHALLENGE: Readonly<Record<string, string>> = { 'www-authenticate': 'Basic realm="mandate"' };

/** RFC 7591 §3.2.2 `invalid_client_metadata`: a client's metadata (its CIMD, its redirect URIs) is unusable. */
export class InvalidClientMetadata extends OAuthError {
  constructor(description: string) {
    super('invalid_client_metadata', 400, description);
  }
}
