import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { ValidationError } from '../../shared/errors.js';
import { findIssuer } from '../store.js';
import type { Executor } from '../../storage/index.js';
import { mapClaims, type MappingRule } from './rules.js';

/** What a presented JWT means for federation: not ours (null), a refusal, or one agent. */
export type FederationResult = null | { refused: string } | { agentId: string };

/** Only loopback may serve keys over plain HTTP (test issuers); everything else is https. */
export function checkIssuerUrl(field: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`${field} must be an absolute URL`, { field });
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new ValidationError(`${field} must be https (http only on loopback)`, { field });
}

/** The (unverified) `iss` of a JWT, or null when it is not a JWT or names none: which issuer's keys to try. */
export function issuerOf(token: string): string | null {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : null;
  } catch {
    return null;
  }
}

const DISCOVERY_TIMEOUT_MS = 5_000;

/**
 * Verifies client assertions from trusted workload issuers (RFC 7523 with a JWT the workload
 * already has: a Kubernetes projected service-account token, a JWT-SVID) with jose against the
 * issuer's keys (its JWKS, or found by OIDC discovery), then maps the claims to one agent.
 * Key sets are cached per issuer; jose refetches on an unknown key id.
 */
export class TrustedIssuers {
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    private readonly db: Executor,
    private readonly skewSeconds: number,
  ) {}

  forget(issuer: string): void {
    this.keySets.delete(issuer);
  }

  async authenticate(assertion: string, now: number): Promise<FederationResult> {
    const iss = issuerOf(assertion);
    if (iss === null) return null;
    const row = await findIssuer(this.db, iss);
    if (!row) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(assertion, await this.keys(row.issuer, row.jwks_uri), {
        issuer: row.issuer,
        audience: row.audience,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now),
        clockTolerance: this.skewSeconds,
      }));
    } catch (error) {
      const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : (error as Error).message;
      return { refused: `the workload token from ${row.issuer} does not verify (${reason})` };
    }
    return mapClaims(JSON.parse(row.rules) as MappingRule[], payload as Record<string, unknown>);
  }

  private async keys(issuer: string, jwksUri: string | null): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const cached = this.keySets.get(issuer);
    if (cached) return cached;
    const uri = jwksUri ?? (await this.discover(issuer));
    const keySet = createRemoteJWKSet(new URL(uri), { timeoutDuration: DISCOVERY_TIMEOUT_MS });
    this.keySets.set(issuer, keySet);
    return keySet;
  }

  /** OIDC discovery: the issuer's `jwks_uri`, with the metadata's `issuer` matching exactly. */
  private async discover(issuer: string): Promise<string> {
    const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    const metadata = (await response.json().catch(() => ({}))) as { issuer?: unknown; jwks_uri?: unknown };
    if (!response.ok || metadata.issuer !== issuer || typeof metadata.jwks_uri !== 'string') throw new Error(`OIDC discovery for ${issuer} failed (HTTP ${response.status})`);
    checkIssuerUrl('jwks_uri', metadata.jwks_uri);
    return metadata.jwks_uri;
  }
}
