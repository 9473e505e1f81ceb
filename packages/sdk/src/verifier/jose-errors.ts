import { errors } from 'jose';
import { TokenVerificationError, type VerificationErrorCode } from './errors.js';

/** The claim a jose claim-validation failure names → our code. */
const CLAIM_CODES: Record<string, VerificationErrorCode> = {
  iss: 'ERR_TOKEN_ISSUER_INVALID',
  aud: 'ERR_TOKEN_AUDIENCE_INVALID',
  nbf: 'ERR_TOKEN_NOT_YET_VALID',
  exp: 'ERR_TOKEN_EXPIRED',
  typ: 'ERR_TOKEN_TYPE_INVALID',
};

/** jose error codes → our codes (the rest of jose's errors mean a malformed token). */
const JOSE_CODES: Record<string, VerificationErrorCode> = {
  ERR_JWT_EXPIRED: 'ERR_TOKEN_EXPIRED',
  ERR_JOSE_ALG_NOT_ALLOWED: 'ERR_TOKEN_ALG_NOT_ALLOWED',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'ERR_TOKEN_SIGNATURE_INVALID',
  ERR_JWKS_NO_MATCHING_KEY: 'ERR_TOKEN_KEY_UNKNOWN',
};

/** Turns whatever `jwtVerify` threw into a TokenVerificationError with a stable code. */
export function fromJoseError(error: unknown): TokenVerificationError {
  if (error instanceof TokenVerificationError) return error;
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new TokenVerificationError(CLAIM_CODES[error.claim] ?? 'ERR_TOKEN_CLAIM_INVALID', `${error.claim}: ${error.reason}`, { cause: error });
  }
  if (error instanceof errors.JOSEError) {
    return new TokenVerificationError(JOSE_CODES[error.code] ?? 'ERR_TOKEN_MALFORMED', error.message, { cause: error });
  }
  // WebCrypto refuses a key that does not fit the header's algorithm with a TypeError.
  if (error instanceof TypeError) return new TokenVerificationError('ERR_TOKEN_SIGNATURE_INVALID', error.message, { cause: error });
  return new TokenVerificationError('ERR_TOKEN_MALFORMED', error instanceof Error ? error.message : String(error), { cause: error });
}
