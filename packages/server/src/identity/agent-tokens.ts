import type { AgentPrincipal } from './principal.js';
import { authorizationScheme } from './authenticator.js';
import type { CredentialResolver, ProofOfPossession } from './resolvers.js';
import type { TokenSubjects } from './subjects.js';
import { clientCertificateThumbprint } from './peer-certificate.js';

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/;

/** Whether a credential has the shape of an agent's access token (a compact JWS). */
export function isAccessTokenShaped(credential: string): boolean {
  return JWT_SHAPE.test(credential);
}

export interface AgentTokenResolverOptions {
  subjects: TokenSubjects;
  proofs: ProofOfPossession;
  /** Mandate's own audience (the issuer): /v1 takes only tokens meant for Mandate. */
  audience: string;
}

/**
 * Agents' access tokens on /v1, through the one cached subject resolver: a token is verified
 * once, then its claims are reused until it expires (subjects.ts). DPoP-bound tokens need the
 * `DPoP` scheme and a proof for this very request (`ath` included), checked on every request;
 * a bound token sent as Bearer, or a Bearer token sent as DPoP, is refused (RFC 9449 §7.1).
 */
export function agentTokenResolver({ subjects, proofs, audience }: AgentTokenResolverOptions): CredentialResolver {
  return {
    recognises: isAccessTokenShaped,
    resolve: async (token, request): Promise<AgentPrincipal | null> => {
      const subject = await subjects.resolve(token, audience);
      if (!subject) return null;
      const { claims, agent } = subject;
      const scheme = authorizationScheme(request);
      if (claims.cnf?.jkt) {
        if (scheme !== 'dpop' || !request) return null;
        if ((await proofs.keyOf(request, token)) !== claims.cnf.jkt) return null;
      } else if (scheme === 'dpop') {
        return null;
      }
      // RFC 8705 §3: a certificate-bound token is accepted only over a connection presenting that certificate.
      const x5t = claims.cnf?.['x5t#S256'];
      if (x5t !== undefined && clientCertificateThumbprint(request) !== x5t) return null;
      return { kind: 'agent', agentId: agent.id, clientId: agent.clientId, claims: claims as Record<string, unknown>, token };
    },
    // A valid token for a resource server, sent to Mandate: say so rather than "invalid".
    refusal: (token) => subjects.audienceRefusal(token, audience),
  };
}
