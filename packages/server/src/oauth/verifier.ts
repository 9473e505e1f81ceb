import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { AccessTokenClaims } from '../identity/index.js';
import type { Agent } from '../registry/index.js';
import type { Clock } from '../shared/clock.js';
import { ACCESS_TOKEN_ALGORITHMS } from './algorithms.js';
import { mayHoldTokens } from './agent-status.js';
import { InvalidToken } from './errors.js';
import type { SigningKeys } from './keys/signing-keys.js';
import type { Revocations } from './revocation.js';

/** The claims' shape is identity's (an agent principal is known by them); re-exported for oauth's readers. */
export type { AccessTokenClaims };

export interface VerifiedAccessToken {
  claims: AccessTokenClaims;
  agent: Agent;
}

export interface AccessTokenVerifierOptions {
  keys: SigningKeys;
  issuer: string;
  clock: Clock;
  skewSeconds: number;
  revocations: Revocations;
  agentByClientId(clientId: string): Promise<Agent | null>;
}

/**
 * Verifies Mandate's own access tokens (for introspection and /v1 authentication): jose
 * checks the signature against the published keys, `typ: at+jwt`, the algorithm, `iss`, `aud`
 * and times; then revocation (token and agent marks) and the agent's current status.
 */
export class AccessTokenVerifier {
  constructor(private readonly options: AccessTokenVerifierOptions) {}

  /** @param audience required audience, or null to accept any (operators' introspection). */
  async verify(token: string, audience: string | null): Promise<VerifiedAccessToken> {
    const { keys, issuer, clock, skewSeconds, revocations } = this.options;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys.verificationKeys(), {
        issuer,
        typ: 'at+jwt',
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
        currentDate: new Date(clock.now()),
        clockTolerance: skewSeconds,
        ...(audience === null ? {} : { audience }),
      }));
    } catch (error) {
      const code = error instanceof errors.JOSEError ? error.code : 'ERR_INVALID';
      throw new InvalidToken(`the access token is not valid (${code})`);
    }
    const claims = payload as AccessTokenClaims;
    if (typeof claims.client_id !== 'string' || typeof claims.jti !== 'string') throw new InvalidToken('the access token lacks client_id or jti');
    const revoked = await revocations.check(claims);
    if (revoked) throw new InvalidToken(revoked === 'token' ? 'the access token was revoked' : "the agent's tokens were revoked");
    const agent = await this.options.agentByClientId(claims.client_id);
    if (!agent) throw new InvalidToken('the agent of this token no longer exists');
    if (!mayHoldTokens(agent.status)) throw new InvalidToken(`the agent is ${agent.status}`);
    return { claims, agent };
  }

  /**
   * Claims of a token Mandate signed and that has not expired, with no revocation or status
   * check (the revocation endpoint's need); null for anything else.
   */
  async signedClaims(token: string): Promise<AccessTokenClaims | null> {
    const { keys, issuer, clock, skewSeconds } = this.options;
    try {
      const { payload } = await jwtVerify(token, keys.verificationKeys(), {
        issuer,
        typ: 'at+jwt',
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        requiredClaims: ['exp', 'jti', 'client_id'],
        currentDate: new Date(clock.now()),
        clockTolerance: skewSeconds,
      });
      return payload as AccessTokenClaims;
    } catch {
      return null;
    }
  }
}
