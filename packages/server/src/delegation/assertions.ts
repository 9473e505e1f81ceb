import { decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../storage/index.js';
import { DelegationRefused } from './errors.js';
import type { TrustedIssuer, TrustedIssuers } from './idps.js';
import { JwksFetchError, type JwksCache } from './jwks.js';
import { refuse } from './rules.js';
import { spendAssertion } from './store.js';

/** The asymmetric algorithms accepted from identity providers (never `none`, never HMAC). */
export const IDP_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** RFC 8693 token type of an ID-JAG, and its JWT `typ` (draft-ietf-oauth-identity-assertion-authz-grant). */
export const ID_JAG_TYP = 'oauth-id-jag+jwt';

/** A user as a trusted IdP vouches for them. */
export interface VouchedUser {
  issuer: string;
  user: string;
  /** Epoch seconds. */
  exp: number;
  mayAct?: { sub?: string; client_id?: string } | undefined;
}

export interface IdentityAssertion extends VouchedUser {
  jti: string;
  /** The assertion's `scope`, split. */
  scopes: string[];
  /** The assertion's `resource`, when it names one. */
  resource: string | null;
}

export interface AssertionOptions {
  db: Db;
  clock: Clock;
  issuers: TrustedIssuers;
  jwks: JwksCache;
  skewSeconds: number;
  /** Mandate's issuer: the `aud` an ID-JAG must carry. */
  audience: string;
}

function issuerOf(token: string): string {
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw new DelegationRefused(refuse('token_invalid', 'the token is not a JWT'));
  }
  if (typeof iss !== 'string') throw new DelegationRefused(refuse('token_invalid', 'the token has no iss'));
  return iss;
}

function mayActOf(payload: JWTPayload): VouchedUser['mayAct'] {
  const value = payload.may_act as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object') return undefined;
  return {
    ...(typeof value.sub === 'string' ? { sub: value.sub } : {}),
    ...(typeof value.client_id === 'string' ? { client_id: value.client_id } : {}),
  };
}

/**
 * Verifies users' tokens (token exchange subject tokens) and ID-JAGs from trusted identity
 * providers: issuer on the trusted list, signature by its published keys, audience, times,
 * and the claim that names the user. Every failure is a DelegationRefused naming the rule.
 */
export class Assertions {
  constructor(private readonly options: AssertionOptions) {}

  private async trusted(token: string): Promise<TrustedIssuer> {
    const iss = issuerOf(token);
    const idp = await this.options.issuers.find(iss);
    if (!idp) throw new DelegationRefused(refuse('untrusted_issuer', `issuer '${iss.slice(0, 200)}' is not a trusted identity provider`));
    return idp;
  }

  private async verify(token: string, idp: TrustedIssuer, checks: { audience: string | string[]; typ?: string }, rule: 'token_invalid' | 'assertion_invalid'): Promise<JWTPayload> {
    const { clock, jwks, skewSeconds } = this.options;
    try {
      const { payload } = await jwtVerify(token, jwks.resolver(idp.issuer, idp.jwksUri), {
        issuer: idp.issuer,
        audience: checks.audience,
        algorithms: IDP_ALGORITHMS,
        requiredClaims: ['exp'],
        currentDate: new Date(clock.now()),
        clockTolerance: skewSeconds,
        ...(checks.typ ? { typ: checks.typ } : {}),
      });
      return payload;
    } catch (error) {
      if (error instanceof JwksFetchError) throw new DelegationRefused(refuse(rule, `the identity provider's keys could not be fetched (${error.message})`));
      const code = error instanceof errors.JOSEError ? error.code : 'ERR_INVALID';
      throw new DelegationRefused(refuse(rule, `the token from '${idp.issuer}' does not verify (${code}${error instanceof errors.JWTClaimValidationFailed ? `: ${error.claim}` : ''})`));
    }
  }

  private userOf(payload: JWTPayload, idp: TrustedIssuer, rule: 'token_invalid' | 'assertion_invalid'): string {
    const user = payload[idp.userClaim];
    if (typeof user !== 'string' || user === '' || user.length > 320) throw new DelegationRefused(refuse(rule, `the token has no '${idp.userClaim}' claim naming the user`));
    return user;
  }

  /** A user's ID token or JWT access token, as a token exchange's subject token. */
  async userToken(token: string): Promise<VouchedUser> {
    const idp = await this.trusted(token);
    const payload = await this.verify(token, idp, { audience: idp.audiences }, 'token_invalid');
    return { issuer: idp.issuer, user: this.userOf(payload, idp, 'token_invalid'), exp: payload.exp!, mayAct: mayActOf(payload) };
  }

  /**
   * An ID-JAG (typ oauth-id-jag+jwt) for the authenticated client: aud must be Mandate's issuer,
   * client_id the client's, jti present and never seen before (spent here, kept until exp).
   */
  async identityAssertion(assertion: string, clientId: string): Promise<IdentityAssertion> {
    const idp = await this.trusted(assertion);
    const payload = await this.verify(assertion, idp, { audience: this.options.audience, typ: ID_JAG_TYP }, 'assertion_invalid');
    if (payload.client_id !== clientId) throw new DelegationRefused(refuse('assertion_invalid', 'the assertion was issued for another client (client_id)'));
    if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 200) throw new DelegationRefused(refuse('assertion_invalid', 'the assertion has no jti'));
    const user = this.userOf(payload, idp, 'assertion_invalid');
    if (!(await spendAssertion(this.options.db, `${idp.issuer} ${payload.jti}`, payload.exp!))) {
      throw new DelegationRefused(refuse('assertion_replayed', 'this assertion (jti) has already been redeemed'));
    }
    const scope = typeof payload.scope === 'string' ? payload.scope.split(' ').filter((s) => s !== '') : [];
    const resource = typeof payload.resource === 'string' ? payload.resource : null;
    return { issuer: idp.issuer, user, exp: payload.exp!, mayAct: mayActOf(payload), jti: payload.jti, scopes: scope, resource };
  }
}
