import { MandateSdkError } from '../shared/errors.js';
import { formatChallenge } from '../shared/www-authenticate.js';

/**
 * Why a token was refused, as a stable code, with the HTTP status and the RFC 6750 / RFC 9449
 * `error` a resource server answers with. One row per code (STYLE.md §3): callers switch on
 * `code`; the middleware turns a row into a 401/403 with a WWW-Authenticate challenge.
 */
export const VERIFICATION_ERRORS = {
  ERR_TOKEN_MISSING: { status: 401, error: undefined, message: 'no access token was sent' },
  ERR_TOKEN_MALFORMED: { status: 401, error: 'invalid_token', message: 'the access token is not a well-formed JWT' },
  ERR_TOKEN_ALG_NOT_ALLOWED: { status: 401, error: 'invalid_token', message: 'the access token is signed with an algorithm that is not allowed' },
  ERR_TOKEN_KEY_UNKNOWN: { status: 401, error: 'invalid_token', message: 'the access token is signed with an unknown key' },
  ERR_TOKEN_SIGNATURE_INVALID: { status: 401, error: 'invalid_token', message: 'the access token signature is invalid' },
  ERR_TOKEN_TYPE_INVALID: { status: 401, error: 'invalid_token', message: 'the token is not an access token (typ must be at+jwt)' },
  ERR_TOKEN_EXPIRED: { status: 401, error: 'invalid_token', message: 'the access token has expired' },
  ERR_TOKEN_NOT_YET_VALID: { status: 401, error: 'invalid_token', message: 'the access token is not valid yet' },
  ERR_TOKEN_ISSUER_INVALID: { status: 401, error: 'invalid_token', message: 'the access token was issued by another issuer' },
  ERR_TOKEN_AUDIENCE_INVALID: { status: 401, error: 'invalid_token', message: 'the access token is meant for another audience' },
  ERR_TOKEN_CLAIM_INVALID: { status: 401, error: 'invalid_token', message: 'the access token has a missing or invalid claim' },
  ERR_TOKEN_REVOKED: { status: 401, error: 'invalid_token', message: 'the access token has been revoked' },
  ERR_AGENT_REVOKED: { status: 401, error: 'invalid_token', message: "the agent's tokens have been revoked" },
  ERR_TOKEN_BINDING_MISMATCH: { status: 401, error: 'invalid_token', message: 'the access token is bound to another key or certificate' },
  ERR_DPOP_REQUIRED: { status: 401, error: 'invalid_token', message: 'the access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof' },
  ERR_DPOP_PROOF_INVALID: { status: 401, error: 'invalid_dpop_proof', message: 'the DPoP proof is invalid' },
  ERR_DPOP_PROOF_REPLAYED: { status: 401, error: 'invalid_dpop_proof', message: 'the DPoP proof was already used' },
  ERR_INSUFFICIENT_SCOPE: { status: 403, error: 'insufficient_scope', message: 'the access token lacks a required scope' },
  /** The verifier cannot currently learn of revocations or keys: fail closed, but say it is us, not the token. */
  ERR_VERIFIER_UNAVAILABLE: { status: 503, error: undefined, message: 'token verification is temporarily unavailable' },
} as const satisfies Record<string, { status: number; error: string | undefined; message: string }>;

export type VerificationErrorCode = keyof typeof VERIFICATION_ERRORS;

export class TokenVerificationError extends MandateSdkError {
  declare readonly code: VerificationErrorCode;
  readonly status: number;
  /** The RFC 6750 / RFC 9449 error code for WWW-Authenticate, if any. */
  readonly oauthError: string | undefined;
  /** Scopes that were required, for `insufficient_scope` challenges. */
  readonly requiredScopes: string[] | undefined;

  constructor(code: VerificationErrorCode, detail?: string, options?: { cause?: unknown; requiredScopes?: string[] }) {
    const row = VERIFICATION_ERRORS[code];
    super(code, detail ? `${row.message}: ${detail}` : row.message, options);
    this.status = row.status;
    this.oauthError = row.error;
    this.requiredScopes = options?.requiredScopes;
  }

  /** The short, safe text for `error_description` (the row's message, never internals). */
  get description(): string {
    return VERIFICATION_ERRORS[this.code].message;
  }
}

export interface ChallengeOptions {
  realm?: string;
  /** DPoP algorithms accepted; when set, a `DPoP` challenge is offered too (RFC 9449 §7.1). */
  dpopAlgorithms?: readonly string[];
  /** The client used the DPoP scheme: put the error on the DPoP challenge. */
  dpopScheme?: boolean;
  /** The resource's RFC 9728 metadata URL, named as `resource_metadata` on the Bearer challenge (RFC 9728 §5.1). */
  resourceMetadata?: string;
}

/** The WWW-Authenticate value for a refusal (RFC 6750 §3, RFC 9449 §7.1); undefined for 503. */
export function wwwAuthenticate(error: TokenVerificationError, options: ChallengeOptions = {}): string | undefined {
  if (error.status >= 500) return undefined;
  const errorParams = {
    realm: options.realm,
    resource_metadata: options.resourceMetadata,
    error: error.oauthError,
    error_description: error.oauthError ? error.description : undefined,
    scope: error.requiredScopes?.join(' '),
  };
  const dpopError = error.oauthError === 'invalid_dpop_proof' || options.dpopScheme === true;
  const dpopAlgs = options.dpopAlgorithms?.join(' ');
  const challenges: string[] = [];
  if (dpopError && dpopAlgs) {
    challenges.push(formatChallenge('DPoP', { ...errorParams, algs: dpopAlgs }));
    challenges.push(formatChallenge('Bearer', { realm: options.realm, resource_metadata: options.resourceMetadata }));
  } else {
    challenges.push(formatChallenge('Bearer', errorParams));
    if (dpopAlgs) challenges.push(formatChallenge('DPoP', { realm: options.realm, algs: dpopAlgs }));
  }
  return challenges.join(', ');
}

/** The JSON body sent with a refusal. */
export function errorBody(error: TokenVerificationError): { error: string; error_description: string; code: string } {
  return { error: error.oauthError ?? (error.status >= 500 ? 'temporarily_unavailable' : 'unauthorized'), error_description: error.description, code: error.code };
}
