import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { CLIENT_SIGNING_ALGORITHMS } from './algorithms.js';
import { BASIC_CHALLENGE, InvalidClient, InvalidRequest } from './errors.js';
import { isUnstorableText, UNSTORABLE_TEXT } from '../shared/text-guard.js';
import { assertStorable, type FormParameters } from './form.js';

/** Client authentication methods (RFC 6749 §2.3.1, RFC 7523 §2.2) and where each is read from. */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number] | 'tls_client_auth';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** What the request's headers and form presented, before any check against stored credentials. */
export type FormCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; secret: string }
  | { method: 'private_key_jwt'; clientId: string; assertion: string };

/** Everything a client may present, the TLS client certificate (tls-client-auth.ts) included. */
export type PresentedCredentials = FormCredentials | { method: 'tls_client_auth'; clientId: string; certificate: Buffer };

function decodeBasicPart(part: string): string {
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
  try {
    return decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    throw new InvalidClient('the Basic credentials are malformed').withHeaders(BASIC_CHALLENGE);
  }
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new InvalidClient('the Basic credentials are malformed').withHeaders(BASIC_CHALLENGE);
  const clientId = decodeBasicPart(decoded.slice(0, colon));
  const secret = decodeBasicPart(decoded.slice(colon + 1));
  assertStorable('the Basic client id', clientId);
  assertStorable('the Basic client secret', secret);
  return { clientId, secret };
}

/**
 * Reads the client credentials a request presents. Exactly one method per request: two
 * (say Basic and a client_secret in the body) are refused with invalid_request, as RFC 6749
 * §2.3 requires. Returns null when the request presents none.
 */
export function presentedCredentials(authorization: string | undefined, form: FormParameters): FormCredentials | null {
  const found: FormCredentials[] = [];
  const bodyClientId = form.get('client_id');
  if (authorization && /^Basic\s/i.test(authorization)) {
    const { clientId, secret } = parseBasic(authorization);
    found.push({ method: 'client_secret_basic', clientId, secret });
  }
  const secret = form.get('client_secret');
  if (secret !== undefined) {
    if (!bodyClientId) throw new InvalidRequest('client_secret needs client_id in the body (client_secret_post)');
    found.push({ method: 'client_secret_post', clientId: bodyClientId, secret });
  }
  const assertion = form.get('client_assertion');
  const assertionType = form.get('client_assertion_type');
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION) throw new InvalidRequest(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    if (assertion === undefined) throw new InvalidRequest('client_assertion is missing');
    let sub: unknown;
    try {
      sub = decodeJwt(assertion).sub;
    } catch {
      throw new InvalidClient('client_assertion is not a JWT');
    }
    if (typeof sub !== 'string' || sub.length === 0) throw new InvalidClient('client_assertion has no sub');
    assertStorable('the client_assertion sub', sub);
    found.push({ method: 'private_key_jwt', clientId: sub, assertion });
  }
  if (found.length > 1) throw new InvalidRequest(`use exactly one client authentication method; this request uses ${found.map((f) => f.method).join(' and ')}`);
  const only = found[0];
  if (!only) return null;
  if (bodyClientId !== undefined && bodyClientId !== only.clientId) throw new InvalidRequest('client_id does not match the authenticated client');
  return only;
}

export interface AssertionCheck {
  clientId: string;
  jwks: JSONWebKeySet;
  /** Accepted `aud` values: the issuer and the token endpoint URL (RFC 7523 §3). */
  audiences: string[];
  now: number;
  skewSeconds: number;
  maxLifetimeSeconds: number;
  /** False when the jti was seen before (replay). */
  markUsed(jti: string, expiresAtMs: number): Promise<boolean>;
}

/**
 * `EdDSA` and `Ed25519` (RFC 9864's fully-specified name) mean the same for an Ed25519 key;
 * jose matches a JWK's `alg` literally, so an Ed25519 key registered with either name is
 * accepted for both (the key type alone fixes the algorithm).
 */
function acceptBothEd25519Names(jwks: JSONWebKeySet): JSONWebKeySet {
  return {
    keys: jwks.keys.map((key) => {
      if (key.kty === 'OKP' && key.crv === 'Ed25519' && (key.alg === 'EdDSA' || key.alg === 'Ed25519')) {
        const { alg: _alg, ...rest } = key;
        return rest;
      }
      return key;
    }),
  };
}

/** Verifies a private_key_jwt assertion with jose against the agent's registered keys (RFC 7523 §3). */
export async function verifyClientAssertion(assertion: string, check: AssertionCheck): Promise<{ jti: string }> {
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(acceptBothEd25519Names(check.jwks)), {
      issuer: check.clientId,
      subject: check.clientId,
      audience: check.audiences,
      algorithms: [...CLIENT_SIGNING_ALGORITHMS],
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(check.now),
      clockTolerance: check.skewSeconds,
    }));
  } catch (error) {
    const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : 'invalid';
    throw new InvalidClient(`client_assertion does not verify (${reason})`);
  }
  const exp = payload.exp!;
  if (exp - check.now / 1000 > check.maxLifetimeSeconds + check.skewSeconds) {
    throw new InvalidClient(`client_assertion expires too far ahead; at most ${check.maxLifetimeSeconds} s`);
  }
  const jti = payload.jti!;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw new InvalidClient('client_assertion jti must be a string');
  // The jti is stored for replay detection: PostgreSQL text refuses NUL (a 500 otherwise).
  if (isUnstorableText(jti)) throw new InvalidClient(`client_assertion jti ${UNSTORABLE_TEXT}`);
  if (!(await check.markUsed(jti, (exp + check.skewSeconds) * 1000))) throw new InvalidClient('client_assertion was already used (jti replay)');
  return { jti };
}
