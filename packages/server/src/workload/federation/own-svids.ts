import { X509Certificate, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { SigningAuthority } from '../ca/authority.js';
import { agentIdFrom } from '../spiffe.js';
import type { FederationResult } from './issuers.js';

/** What a JWT-SVID of Mandate's own must satisfy to authenticate an agent at its token endpoint. */
export interface OwnSvidCheck {
  /** Mandate's issuer URL: the `iss` its JWT-SVIDs carry. */
  issuer: string;
  /** The `aud` values that name Mandate's authorization server: its issuer and token endpoint (RFC 7523 §3). */
  audiences: readonly string[];
  trustDomain: string;
  /** Every published CA (prepared, active, retired): the bundle's `jwt-svid` keys. */
  authorities: readonly SigningAuthority[];
  skewSeconds: number;
  now: number;
}

/** The public key of the published CA a JWT-SVID names in its `kid`; anything else has no key here. */
function publishedKey(authorities: readonly SigningAuthority[]): (header: JWTHeaderParameters) => KeyObject {
  return (header) => {
    const authority = authorities.find((a) => a.id === header.kid);
    if (!authority) throw new errors.JWKSNoMatchingKey();
    return new X509Certificate(authority.pem).publicKey;
  };
}

/**
 * Mandate's own JWT-SVIDs (`POST /v1/svids/jwt`) as RFC 7523 client assertions: trusted
 * without configuration, verified against the published CAs' keys only (signature ES256, `iss`
 * Mandate's issuer, `aud` its issuer or token endpoint, `exp`/`nbf` with the clock skew), and
 * mapped from `sub` = `spiffe://<trust-domain>/agent/<id>` to exactly that agent; any other
 * `sub` is refused. Whether the agent may hold tokens (active) is the token endpoint's check.
 * Like other federated JWTs, a JWT-SVID is not single-use (SPIFFE workloads reuse them until
 * they expire): its short lifetime bounds a leak.
 */
export async function authenticateOwnJwtSvid(assertion: string, check: OwnSvidCheck): Promise<FederationResult> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(assertion, publishedKey(check.authorities), {
      issuer: check.issuer,
      audience: [...check.audiences],
      algorithms: ['ES256'],
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(check.now),
      clockTolerance: check.skewSeconds,
    }));
  } catch (error) {
    const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : (error as Error).message;
    return { refused: `the JWT-SVID does not verify against Mandate's trust bundle (${reason})` };
  }
  const sub = String(payload.sub);
  const agentId = agentIdFrom(sub, check.trustDomain);
  if (agentId === null) return { refused: `the JWT-SVID's sub '${sub}' is not an agent of trust domain '${check.trustDomain}'` };
  return { agentId };
}
