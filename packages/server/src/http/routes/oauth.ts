import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AccessDenied, InvalidClient, InvalidRequest, OAuthError, RateLimited, ServerError } from '../../oauth/index.js';
import { MandateError, RateLimitedError } from '../../shared/errors.js';
import type { MandatePlugin } from '../plugin.js';
import { clientCertificateOf } from '../tls-listener.js';

/** Maps anything thrown on an OAuth endpoint to the RFC 6749 §5.2 error shape. */
function toOAuthError(error: unknown, request: FastifyRequest): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof MandateError && error.expose) {
    if (error.status === 401) return new InvalidClient(error.message);
    if (error.status === 403) return new AccessDenied(error.message);
    if (error.status === 429) return new RateLimited(error instanceof RateLimitedError ? error.retryAfterSeconds : 60);
    return new InvalidRequest(error.message);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new InvalidRequest('the request body is too large');
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) return new InvalidRequest(fastifyError.message);
  request.log.error({ err: error }, 'unexpected error at an OAuth endpoint');
  return new ServerError();
}

function sendOAuthError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const oauth = toOAuthError(error, request);
  if (oauth.headers) void reply.headers(oauth.headers);
  return reply
    .status(oauth.status)
    .header('cache-control', 'no-store')
    .send({ ...(oauth.expose ? (oauth.body ?? {}) : {}), error: oauth.code, error_description: oauth.expose ? oauth.message : 'internal error' });
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.String(),
  expires_in: Type.Integer(),
  scope: Type.String(),
  issued_token_type: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
});
const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.Optional(Type.String()), approval_id: Type.Optional(Type.String()) });

/**
 * The public OAuth endpoints (RFC 8414 metadata, token, JWKS, introspection, revocation and
 * the revocation feed). Encapsulated: within this plugin only form bodies are parsed and
 * errors keep the RFC shape.
 */
export const oauthRoutes: MandatePlugin = async (app, { runtime }) => {
  const { oauth, config } = runtime;
  const formLimit = config.oauth.formBodyLimitBytes;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: formLimit }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('*', (request, _payload, done) =>
    done(new InvalidRequest(`the body must be application/x-www-form-urlencoded, not ${request.headers['content-type'] ?? 'untyped'}`), undefined),
  );
  app.setErrorHandler((error, request, reply) => sendOAuthError(error, request, reply));

  // Long-polls end when the server shuts down, so a graceful stop is not held up by them.
  const waits = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const controller of waits) controller.abort();
  });

  const body = (request: FastifyRequest): string => (typeof request.body === 'string' ? request.body : '');
  const headersOf = (request: FastifyRequest) => ({
    authorization: single(request.headers.authorization),
    dpop: request.headers.dpop,
    body: body(request),
    remoteAddress: request.ip,
    clientCertificate: clientCertificateOf(request),
  });
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('pragma', 'no-cache');

  app.get('/.well-known/oauth-authorization-server', { schema: { tags: ['oauth'], summary: 'Authorization server metadata (RFC 8414)' } }, async (_request, reply) => {
    void reply.header('cache-control', 'public, max-age=300');
    return oauth.metadata();
  });

  app.get('/.well-known/jwks.json', { schema: { tags: ['oauth'], summary: 'Token signing keys (JWKS)' } }, async (_request, reply) => {
    // Short caching: verifiers refetch on an unknown kid anyway, and new keys are published ahead.
    return reply.header('cache-control', 'public, max-age=60').type('application/json').send(oauth.keys.jwks());
  });

  app.post(
    '/oauth2/token',
    {
      bodyLimit: formLimit,
      schema: { tags: ['oauth'], summary: 'Token endpoint (form body)', response: { 200: TokenResponse, 400: OAuthErrorBody, 401: OAuthErrorBody, 429: OAuthErrorBody } },
    },
    async (request, reply) => {
      const response = await oauth.token(headersOf(request));
      noStore(reply);
      return response;
    },
  );

  app.post(
    '/oauth2/introspect',
    { bodyLimit: formLimit, schema: { tags: ['oauth'], summary: 'Token introspection (RFC 7662, form body)' } },
    async (request, reply) => {
      const response = await oauth.introspect(headersOf(request));
      noStore(reply);
      return response;
    },
  );

  app.post(
    '/oauth2/revoke',
    { bodyLimit: formLimit, schema: { tags: ['oauth'], summary: 'Token revocation (RFC 7009, form body)' } },
    async (request, reply) => {
      await oauth.revoke(headersOf(request));
      return noStore(reply).status(200).send();
    },
  );

  app.get(
    '/oauth2/revocations',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Revocation feed (long-poll; docs/oauth.md)',
        querystring: Type.Object({ after: Type.Optional(Type.String()), wait: Type.Optional(Type.String()), limit: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => {
      const query = request.query;
      const controller = new AbortController();
      waits.add(controller);
      reply.raw.once('close', () => controller.abort());
      try {
        const page = await oauth.feed({ authorization: single(request.headers.authorization), after: query.after, wait: query.wait, limit: query.limit }, controller.signal);
        noStore(reply);
        return page;
      } finally {
        waits.delete(controller);
      }
    },
  );
};
