import { RateLimitedError, UnauthenticatedError } from '../shared/errors.js';
import type { SigninDeps } from './deps.js';
import { refuseSignin, startSession } from './sessions.js';
import type { SigninOrigin, StartedSession } from './types.js';

/** Longest operator token looked at: a real one is about 60 characters. */
export const TOKEN_MAX_LENGTH = 512;

/** Refuses at once (429) when the address failed too often this minute; checked before any credential. */
export function checkAttempts(deps: SigninDeps, origin: SigninOrigin): void {
  const wait = deps.failures.retryAfter(origin.address, deps.clock.now());
  if (wait > 0) throw new RateLimitedError(wait);
}

/**
 * "Sign in with an operator token": the token of an active operator (or of the bootstrap admin)
 * starts a session for that operator. A bad token is audited (without the token) and counted
 * against the caller's address: beyond signin.failedAttemptsPerMinute the address gets 429.
 */
export async function signInWithToken(deps: SigninDeps, token: string, origin: SigninOrigin): Promise<StartedSession> {
  checkAttempts(deps, origin);
  const holder = token.length <= TOKEN_MAX_LENGTH ? await deps.operators.verifyToken(token.trim()) : null;
  if (!holder) {
    await refuseSignin(deps, 'token', origin, 'operator token not valid (unknown, revoked, or its operator disabled)');
    throw new UnauthenticatedError('the operator token is not valid (unknown, revoked, or its operator disabled)');
  }
  return startSession(deps, { kind: 'operator', operatorId: holder.operatorId, email: holder.email }, origin, null);
}
