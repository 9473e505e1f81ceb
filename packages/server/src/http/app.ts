import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Runtime } from '../runtime.js';
import { MandateError, ValidationError } from '../shared/errors.js';
import { authenticateV1 } from './auth.js';
import { sendError } from './errors.js';
import { assertRequestJson } from '../shared/json-guard.js';
import { validatorCompiler } from './validation.js';
import { PUBLIC_PLUGINS, V1_PLUGINS } from './routes/index.js';
import { tlsListenerOptions } from './tls-listener.js';
import { deferredChildLogger } from './request-logger.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A /v1 route that answers without authentication (e.g. the trust bundle). */
    public?: boolean;
    /**
     * A /v1 route a person signed in at the company IdP may call (their own session, consents).
     * Every other route refuses people (deny by default, auth.ts).
     */
    people?: boolean;
  }
}

export type App = FastifyInstance;

/**
 * Builds the HTTP app: one Fastify plugin per context (routes/index.ts), strict body
 * validation, request ids, JSON errors, OpenAPI. Every /v1 route is authenticated (a bearer
 * credential, or the browser session cookie with CSRF on unsafe methods) unless it says
 * `config: { public: true }`; people's sessions reach only routes with `config: { people: true }`.
 */
export async function buildApp(runtime: Runtime): Promise<FastifyInstance> {
  const https = tlsListenerOptions(runtime.config);
  const app = Fastify({
    // The optional TLS listener (tls-listener.ts); Fastify's http-typed instance serves both alike.
    ...(https ? ({ https } as object) : {}),
    loggerInstance: runtime.logger as FastifyBaseLogger,
    // request.log becomes pino's child only when it writes (request-logger.ts).
    childLoggerFactory: deferredChildLogger,
    bodyLimit: runtime.config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    // Errors Fastify raises before routing (a malformed %-escape in the URL) get the same JSON shape.
    frameworkErrors: (error, request, reply) => sendError(error, request, reply),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('principal', null);
  app.decorateRequest('signinSession', null);
  // Parses the Cookie header (the browser session, signin/); no signing secret: the session cookie is an opaque random value.
  await app.register(cookie);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  // Latency per route pattern (never the raw URL: ids would blow up the label set).
  app.addHook('onResponse', async (request, reply) => {
    runtime.metrics.requestDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  // Before each route's own validation, on every route: text no store can hold, a number beyond
  // a double and nesting beyond `bodyMaxDepth` are a 400 naming the field (shared/json-guard.ts).
  app.addHook('preValidation', async (request) => {
    // A JSON body sent as text/plain (curl's -d without -H, say) parses as a string: say which
    // content type to send rather than "body must be object".
    const bodySchema = request.routeOptions.schema?.body as { type?: unknown } | undefined;
    if (typeof request.body === 'string' && bodySchema?.type === 'object') {
      const contentType = request.headers['content-type'] ?? 'none';
      // A JSON document that is a string (`"x"`) is a wrong shape, not a wrong media type.
      if (/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) throw new ValidationError('body must be a JSON object');
      throw new MandateError('unsupported_media_type', 415, `send this body as JSON with Content-Type: application/json (got ${contentType})`);
    }
    assertRequestJson({ params: request.params, querystring: request.query, body: request.body }, runtime.config.bodyMaxDepth);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, request_id: request.id }),
  );

  await app.register(swagger, {
    openapi: {
      info: { title: 'Mandate', description: 'Identity and access management for AI agents', version: '0.1.0' },
      servers: [{ url: runtime.config.issuer }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const plugin of PUBLIC_PLUGINS) await app.register(plugin, { runtime });
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', async (request) => {
        if (request.routeOptions.config.public) return;
        await authenticateV1(runtime, request);
      });
      for (const plugin of V1_PLUGINS) await v1.register(plugin, { runtime });
    },
    { prefix: '/v1' },
  );
  return app;
}
