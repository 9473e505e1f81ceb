import type { VerifiedAccessToken } from '../verifier/claims.js';
import { errorBody, TokenVerificationError } from '../verifier/errors.js';
import type { TokenVerifier } from '../verifier/verifier.js';
import { protectedResourceMetadataUrl } from '../resource/protected-resource.js';

export type AuthenticatedHandler = (request: Request, token: VerifiedAccessToken) => Promise<Response>;

export interface FetchMiddlewareOptions {
  requiredScopes?: string[];
  /** The public origin clients address, when behind a proxy (DPoP `htu`). Default: the request URL's. */
  publicOrigin?: string;
  /** This API's canonical URI (its audience): refusals then name its RFC 9728 metadata (`resource_metadata`). */
  resource?: string;
}

/** The refusal as a Response: 401/403 (503 when the verifier cannot check) with WWW-Authenticate. */
export function refusalResponse(verifier: TokenVerifier, error: TokenVerificationError, dpopScheme: boolean, resource?: string): Response {
  const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  const challenge = verifier.challenge(error, { dpopScheme, ...(resource ? { resourceMetadata: protectedResourceMetadataUrl(resource) } : {}) });
  if (challenge) headers.set('www-authenticate', challenge);
  return new Response(JSON.stringify(errorBody(error)), { status: error.status, headers });
}

/**
 * Wraps a fetch-style handler (`(request: Request) => Promise<Response>`, as in Hono, Deno,
 * Bun, Cloudflare Workers or Next.js route handlers) so it only runs with a verified token.
 */
export function withTokenVerification(verifier: TokenVerifier, handler: AuthenticatedHandler, options: FetchMiddlewareOptions = {}): (request: Request) => Promise<Response> {
  return async (request) => {
    const authorization = request.headers.get('authorization');
    const url = options.publicOrigin ? `${options.publicOrigin.replace(/\/$/, '')}${new URL(request.url).pathname}` : request.url;
    let verified: VerifiedAccessToken;
    try {
      verified = await verifier.verifyRequest(
        { authorization, dpop: request.headers.get('dpop'), method: request.method, url },
        options.requiredScopes ? { requiredScopes: options.requiredScopes } : {},
      );
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      return refusalResponse(verifier, error, /^dpop\s/i.test(authorization ?? ''), options.resource);
    }
    return handler(request, verified);
  };
}
