import { decodeJwt } from 'jose';
import { ResponseError } from '../shared/errors.js';

/** An access token as the agent holds it. Times are milliseconds since the epoch. */
export interface TokenSet {
  accessToken: string;
  /** How to present it: `Authorization: Bearer …` or `Authorization: DPoP …` with a proof. */
  tokenType: 'Bearer' | 'DPoP';
  /** Granted scope, space-separated, when the server said. */
  scope: string | undefined;
  obtainedAt: number;
  expiresAt: number;
  /** When the SDK asks for the next one: `expiresAt` minus the refresh margin. */
  refreshAt: number;
}

/** A token response that says nothing about lifetime is trusted this long at most. */
const FALLBACK_LIFETIME_SECONDS = 60;

/**
 * Reads an RFC 6749 §5.1 token response. The refresh margin is at most half the lifetime, so
 * a server handing out very short tokens does not make every call fetch a new one.
 */
export function tokenSetFrom(body: Record<string, unknown>, now: number, refreshMarginSeconds: number): TokenSet {
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || !accessToken) throw new ResponseError('token response lacks access_token', 200);
  const rawType = typeof body.token_type === 'string' ? body.token_type.toLowerCase() : '';
  if (rawType !== 'bearer' && rawType !== 'dpop') {
    throw new ResponseError(`token response has unsupported token_type '${String(body.token_type)}'`, 200);
  }
  let lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : undefined;
  if (lifetime === undefined) {
    try {
      const exp = decodeJwt(accessToken).exp;
      if (typeof exp === 'number') lifetime = Math.max(0, exp - Math.floor(now / 1000));
    } catch {
      // Opaque token: fall through to the fallback lifetime.
    }
  }
  lifetime ??= FALLBACK_LIFETIME_SECONDS;
  const margin = Math.min(refreshMarginSeconds, lifetime / 2);
  return {
    accessToken,
    tokenType: rawType === 'dpop' ? 'DPoP' : 'Bearer',
    scope: typeof body.scope === 'string' ? body.scope : undefined,
    obtainedAt: now,
    expiresAt: now + lifetime * 1000,
    refreshAt: now + (lifetime - margin) * 1000,
  };
}
