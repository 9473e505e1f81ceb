import { SignJWT } from 'jose';
import { isoTime } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import type { SigningAuthority } from './ca/authority.js';

/** `POST /v1/svids/jwt`'s answer. */
export interface IssuedJwtSvid {
  token: string;
  spiffe_id: string;
  expires_at: string;
}

/** JWT-SVIDs are bearer tokens: short by default, and never long. */
export const JWT_SVID_TTL = { defaultSeconds: 300, minSeconds: 30, maxSeconds: 3_600 } as const;
const MAX_AUDIENCES = 10;

function audiences(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  if (list.length === 0 || list.length > MAX_AUDIENCES || !list.every((a) => typeof a === 'string' && a.length > 0 && a.length <= 2000)) {
    throw new ValidationError(`audience must be 1 to ${MAX_AUDIENCES} non-empty strings`, { field: 'audience' });
  }
  return list as string[];
}

/**
 * A JWT-SVID (SPIFFE JWT-SVID §3) for audiences that prefer tokens: `sub` is the agent's SPIFFE
 * ID, `aud` what the caller names, a short `exp`; signed ES256 by the active CA's key, whose
 * public key the bundle publishes as a `jwt-svid` JWK (`kid` = the CA's id). `iss` is Mandate's
 * issuer (optional in JWT-SVID §3): it is what lets Mandate's token endpoint recognise its own
 * JWT-SVIDs as client assertions (federation/own-svids.ts).
 */
export async function mintJwtSvid(authority: SigningAuthority, issuer: string, spiffeId: string, audience: unknown, ttlSeconds: number | undefined, now: number): Promise<IssuedJwtSvid> {
  const aud = audiences(audience);
  const ttl = ttlSeconds ?? JWT_SVID_TTL.defaultSeconds;
  if (!Number.isInteger(ttl) || ttl < JWT_SVID_TTL.minSeconds || ttl > JWT_SVID_TTL.maxSeconds) {
    throw new ValidationError(`ttl_seconds must be an integer from ${JWT_SVID_TTL.minSeconds} to ${JWT_SVID_TTL.maxSeconds}`, { field: 'ttl_seconds' });
  }
  const iat = Math.floor(now / 1000);
  const exp = Math.min(iat + ttl, Math.floor(authority.notAfter / 1000));
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: authority.id, typ: 'JWT' })
    .setIssuer(issuer)
    .setSubject(spiffeId)
    .setAudience(aud)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(authority.key as never);
  return { token, spiffe_id: spiffeId, expires_at: isoTime(exp * 1000) };
}
