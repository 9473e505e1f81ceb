import { randomUUID } from 'node:crypto';
import { SIGNING_ALGORITHMS } from './algorithms.js';
import type { ActClaim, AgentContextClaim } from '../identity/index.js';
import type { SigningKeys } from './keys/signing-keys.js';

export interface AccessTokenInput {
  subject: string;
  clientId: string;
  audience: string | string[];
  scopes: readonly string[];
  ttlSeconds: number;
  agent?: AgentContextClaim;
  /** DPoP key thumbprint: the token is bound to that key (RFC 9449 §6). */
  jkt?: string;
  /** Client certificate thumbprint: the token is bound to that certificate (RFC 8705 §3). */
  x5t?: string;
  /** Delegation chain (token exchange). */
  act?: ActClaim;
  /** Further claims (e.g. a task id); never overrides the registered ones above. */
  extra?: Record<string, unknown>;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  kid: string;
  /** Epoch seconds. */
  iat: number;
  exp: number;
  claims: Record<string, unknown>;
}

/**
 * Mints an RFC 9068 JWT access token (`typ: at+jwt`). The header is encoded once per key and
 * the signature is made synchronously by node:crypto (the hot path); tests verify every
 * token with jose. Carries `act` for delegated tokens so token exchange reuses this core.
 */
export function mintAccessToken(keys: SigningKeys, issuer: string, input: AccessTokenInput, nowMs: number): IssuedAccessToken {
  const key = keys.signer(nowMs);
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + input.ttlSeconds;
  const jti = randomUUID();
  const claims: Record<string, unknown> = {
    ...(input.extra ?? {}),
    iss: issuer,
    sub: input.subject,
    aud: input.audience,
    exp,
    iat,
    jti,
    client_id: input.clientId,
    scope: input.scopes.join(' '),
  };
  if (input.agent) claims.agent = input.agent;
  if (input.jkt) claims.cnf = { jkt: input.jkt };
  if (input.x5t) claims.cnf = { 'x5t#S256': input.x5t };
  if (input.act) claims.act = input.act;
  const signingInput = key.encodedHeader + Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = SIGNING_ALGORITHMS[key.alg].sign(Buffer.from(signingInput), key.privateKey).toString('base64url');
  return { token: `${signingInput}.${signature}`, jti, kid: key.kid, iat, exp, claims };
}
