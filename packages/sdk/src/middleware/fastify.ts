import type { VerifiedAccessToken } from '../verifier/claims.js';
import { errorBody, TokenVerificationError } from '../verifier/errors.js';
import type { TokenVerifier } from '../verifier/verifier.js';
import { protectedResourceMetadataUrl } from '../resource/protected-resource.js';

/**
 * The parts of a Fastify request and reply the pre-handler uses. Structural, so the SDK does
 * not depend on fastify at runtime; Fastify's own types satisfy them.
 */
export interface FastifyLikeRequest {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  url: string;
  protocol?: string;
  host?: string;
}

export interface FastifyLikeReply {
  code(statusCode: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(payload?: unknown): unknown;
}

export interface MiddlewareOptions {
  /** Scopes this route requires. */
  requiredScopes?: string[];
  /**
   * The public origin clients address (e.g. `https://api.example.com`) when behind a proxy;
   * DPoP proofs name it in `htu`. Default: the request's own protocol and host.
   */
  publicOrigin?: string;
  /** The mTLS client certificate thumbprint (base64url SHA-256 of its DER), for certificate-bound tokens. */
  clientCertificateThumbprint?: (request: FastifyLikeRequest) => string | undefined;
  /** This API's canonical URI (its audience): refusals then name its RFC 9728 metadata (`resource_metadata`). */
  resource?: string;
}

/** Where the verified token is put on the request. */
export interface MandateAuthenticatedRequest {
  mandate: VerifiedAccessToken;
}

function single(value: string | string[] | undefined): string | undefined {
  // Two Authorization or DPoP headers are ambiguous: refuse rather than pick one.
  if (Array.isArray(value)) return value.length === 1 ? value[0] : value.length === 0 ? undefined : '\u0000';
  return value;
}

/**
 * A Fastify `preHandler` that verifies the request's access token and puts the result on
 * `request.mandate`; refusals answer 401/403 (503 when the verifier cannot check) with a
 * WWW-Authenticate challenge.
 *
 * ```ts
 * app.get('/orders', { preHandler: fastifyPreHandler(verifier, { requiredScopes: ['orders:read'] }) }, handler)
 * ```
 */
export function fastifyPreHandler(verifier: TokenVerifier, options: MiddlewareOptions = {}) {
  return async function mandatePreHandler(request: FastifyLikeRequest, reply: FastifyLikeReply): Promise<void> {
    const authorization = single(request.headers.authorization);
    const origin = options.publicOrigin ?? `${request.protocol ?? 'http'}://${request.host ?? single(request.headers.host) ?? 'localhost'}`;
    const thumbprint = options.clientCertificateThumbprint?.(request);
    try {
      const verified = await verifier.verifyRequest(
        {
          authorization,
          dpop: single(request.headers.dpop),
          method: request.method,
          url: `${origin.replace(/\/$/, '')}${request.url}`,
          ...(thumbprint ? { clientCertificateThumbprint: thumbprint } : {}),
        },
        options.requiredScopes ? { requiredScopes: options.requiredScopes } : {},
      );
      (request as FastifyLikeRequest & Partial<MandateAuthenticatedRequest>).mandate = verified;
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      const challenge = verifier.challenge(error, {
        dpopScheme: /^dpop\s/i.test(authorization ?? ''),
        ...(options.resource ? { resourceMetadata: protectedResourceMetadataUrl(options.resource) } : {}),
      });
      reply.code(error.status);
      if (challenge) reply.header('www-authenticate', challenge);
      reply.header('cache-control', 'no-store');
      await reply.send(errorBody(error));
    }
  };
}
