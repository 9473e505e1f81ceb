/**
 * OPA's policy and data APIs, so existing OPA clients work against Mandate unchanged:
 *
 * | call | answers | who |
 * |---|---|---|
 * | `GET /v1/policies` | `{"result": [{id, raw}]}` | policies:read |
 * | `GET /v1/policies/{id}` | `{"result": {id, raw}}` | policies:read |
 * | `PUT /v1/policies/{id}` (Rego text) | `{"policy_revision": N}`; 400 with OPA's compile-error body | policies:write |
 * | `DELETE /v1/policies/{id}` | `{"policy_revision": N}` | policies:write |
 * | `GET /v1/data/{path}` | `{"result": …}` or `{}` when undefined | policies:read or decisions:request |
 * | `POST /v1/data/{path}` `{"input": …}` | `{"result": …}` or `{}` | policies:read or decisions:request |
 * | `PUT /v1/data/{path}` (JSON) | 204 | policies:write |
 * | `DELETE /v1/data/{path}` | 204 | policies:write |
 * | `GET /v1/policy-revisions` | `{"result": [revision…]}` | policies:read |
 * | `POST /v1/policies/rollback` `{to?}` | `{"policy_revision": N}` | policies:write |
 * | `POST /v1/policies/replay` `{modules, since, limit?}` | `{evaluated, changed, …}` | policies:read |
 *
 * Errors use OPA's body `{"code", "message", "errors"?}` (http/errors.ts's `error` is kept too).
 */
import { fromJSON, toJSON } from '@mandate/rego';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseLossless } from 'lossless-json';
import type { Actor } from '../../audit/index.js';
import { can } from '../../operators/index.js';
import { PolicyCompileError, PolicyEvaluationError, REPLAY_MAX_LIMIT, splitPath } from '../../policy/index.js';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../shared/errors.js';
import { requireOperator } from '../auth.js';
import { assertRequestJson } from '../../shared/json-guard.js';
import { toErrorResponse } from '../errors.js';
import type { MandatePlugin } from '../plugin.js';
import { StoredInt } from '../schemas.js';

/** OPA's error codes by HTTP status. */
const OPA_CODES: Record<number, string> = {
  400: 'invalid_parameter',
  401: 'unauthorized',
  403: 'unauthorized',
  404: 'resource_not_found',
  409: 'resource_conflict',
  413: 'invalid_parameter',
  415: 'invalid_parameter',
  429: 'too_many_requests',
  500: 'internal_error',
};

const Result = Type.Object({ result: Type.Optional(Type.Unknown()) }, { additionalProperties: true });
const OpaError = Type.Object(
  { code: Type.String(), message: Type.String(), errors: Type.Optional(Type.Array(Type.Unknown())), error: Type.Optional(Type.String()), request_id: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
const opaErrors = { 400: OpaError, 401: OpaError, 403: OpaError, 404: OpaError, 422: OpaError } as const;
const Revision = Type.Object({ policy_revision: Type.Integer() });
const WildcardParams = Type.Object({ '*': Type.String() });
/** OPA's query flags; accepted so its clients can send them (they change nothing here yet). */
const OpaQuery = Type.Object(
  {
    pretty: Type.Optional(Type.String()),
    metrics: Type.Optional(Type.String()),
    provenance: Type.Optional(Type.String()),
    instrument: Type.Optional(Type.String()),
    explain: Type.Optional(Type.String()),
    'strict-builtin-errors': Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const operatorActor = (request: FastifyRequest, permission: 'policies:write'): Actor => {
  const op = requireOperator(request, permission);
  return { kind: 'operator', id: op.operatorId, roles: op.roles };
};

/** Reading data and evaluating: operators that read policies or request decisions. */
function requireEvaluator(request: FastifyRequest): void {
  const p = request.principal;
  if (!p) throw new UnauthenticatedError();
  if (p.kind !== 'operator') throw new ForbiddenError('the data API is for operators (policies:read or decisions:request); agents ask POST /v1/authorize');
  if (!can(p.roles, 'policies:read') && !can(p.roles, 'decisions:request')) {
    throw new ForbiddenError(`role ${p.roles.join(', ')} may not policies:read or decisions:request`, { permission: 'decisions:request', roles: p.roles });
  }
}

/** Aborts when the client disconnects before its answer is sent: the sandbox then stops the job's worker. */
function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return gone.signal;
}

const flagOn = (value: string | undefined) => value !== undefined && value !== 'false' && value !== '0';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The data API: its JSON bodies keep numbers exact (see parseBodyJson). */
    exactNumbers?: boolean;
  }
}
/** Route config of the data routes (PUT and POST /v1/data…). */
const EXACT = { exactNumbers: true } as const;

export const policyRoutes: MandatePlugin = async (app, { runtime }) => {
  const { policies } = runtime;

  // Policies arrive as text whatever the client labels them (OPA's CLI sends text/plain, some
  // clients application/octet-stream); JSON routes below still parse JSON.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  // Rollback (`{to?}`) and evaluation (`{input?}`) take an optional body: a POST with none (curl
  // -X POST, or an empty application/json body) means `{}` rather than "body must be object".
  // This parser is this plugin's own (Fastify encapsulates parsers), so exact numbers reach only
  // the data API; /v1/authorize and the rest keep Fastify's parser. The body limit (413) is
  // enforced before a parser runs, and the app's text guard (NUL, lone surrogates) runs on the
  // parsed tree in preValidation: strings stay strings, only numbers change form.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseBodyJson(text, request.routeOptions.config.exactNumbers === true));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.method === 'POST') request.body = {};
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof PolicyCompileError) return reply.status(400).send({ ...error.opaBody(), error: error.code, request_id: String(request.id) });
    if (error instanceof PolicyEvaluationError) return reply.status(422).send({ ...error.opaBody(), error: error.code, request_id: String(request.id) });
    const { status, body, headers } = toErrorResponse(error, request);
    if (headers) void reply.headers(headers);
    return reply.status(status).send({ code: OPA_CODES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_parameter'), ...body });
  });

  // ---- policies ------------------------------------------------------------------------------

  app.get('/policies', { schema: { tags: ['policies'], summary: 'List policy modules (OPA policy API)', response: { 200: Result, ...opaErrors } } }, async (request) => {
    requireOperator(request, 'policies:read');
    return { result: await policies.listModules() };
  });

  app.get(
    '/policies/*',
    { schema: { tags: ['policies'], summary: 'Read one policy module', params: WildcardParams, querystring: OpaQuery, response: { 200: Result, ...opaErrors } } },
    async (request) => {
      requireOperator(request, 'policies:read');
      return { result: await policies.getModule(request.params['*']) };
    },
  );

  app.put(
    '/policies/*',
    {
      schema: {
        tags: ['policies'],
        summary: 'Create or replace a policy module (body: Rego text); the whole module set must compile',
        params: WildcardParams,
        querystring: OpaQuery,
        response: { 200: Revision, ...opaErrors },
      },
    },
    async (request) => {
      const actor = operatorActor(request, 'policies:write');
      const text = typeof request.body === 'string' ? request.body : Buffer.isBuffer(request.body) ? request.body.toString('utf8') : null;
      if (text === null) throw new ValidationError('the body must be the policy text (Content-Type: text/plain)', { field: 'body' });
      const state = await policies.putModule(request.params['*'], text, actor);
      return { policy_revision: state.revision };
    },
  );

  app.delete(
    '/policies/*',
    { schema: { tags: ['policies'], summary: 'Delete a policy module; the remaining set must compile', params: WildcardParams, querystring: OpaQuery, response: { 200: Revision, ...opaErrors } } },
    async (request) => {
      const actor = operatorActor(request, 'policies:write');
      const state = await policies.deleteModule(request.params['*'], actor);
      return { policy_revision: state.revision };
    },
  );

  app.post(
    '/policies/rollback',
    {
      schema: {
        tags: ['policies'],
        summary: 'Restore the modules and data of an earlier revision (default: the previous one) as a new revision',
        body: Type.Optional(Type.Object({ to: Type.Optional(StoredInt()) }, { additionalProperties: false })),
        response: { 200: Revision, ...opaErrors },
      },
    },
    async (request) => {
      const actor = operatorActor(request, 'policies:write');
      const state = await policies.rollback(request.body?.to, actor);
      return { policy_revision: state.revision };
    },
  );

  app.post(
    '/policies/replay',
    {
      schema: {
        tags: ['policies'],
        summary: 'What-if: re-evaluate logged decisions against a candidate module set and list those that would change',
        body: Type.Object(
          {
            modules: Type.Record(Type.String({ minLength: 1, maxLength: 256 }), Type.Union([Type.String(), Type.Null()])),
            since: Type.String({ minLength: 1, maxLength: 64 }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: REPLAY_MAX_LIMIT })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            evaluated: Type.Integer(),
            skipped: Type.Integer(),
            truncated: Type.Boolean(),
            base_revision: Type.Integer(),
            changed: Type.Array(
              Type.Object({
                decision_id: Type.String(),
                before: Type.String(),
                after: Type.String(),
                reasons_before: Type.Array(Type.String()),
                reasons_after: Type.Array(Type.String()),
                time: Type.String(),
                agent: Type.Union([Type.String(), Type.Null()]),
                action: Type.String(),
                tool: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...opaErrors,
        },
      },
    },
    async (request, reply) => {
      requireOperator(request, 'policies:read');
      return runtime.decisionReplay.run(request.body, { signal: clientGone(reply) });
    },
  );

  app.get('/policy-revisions', {
    schema: {
      tags: ['policies'],
      summary: 'Policy revisions, newest first',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          result: Type.Array(
            Type.Object({ revision: Type.Integer(), author: Type.String(), created_at: Type.String(), change: Type.String(), modules_hash: Type.String(), modules: Type.Array(Type.String()), active: Type.Boolean() }),
          ),
        }),
        ...opaErrors,
      },
    },
  }, async (request) => {
    requireOperator(request, 'policies:read');
    const active = (await policies.fresh()).revision;
    const list = await policies.listRevisions(request.query.limit);
    return {
      result: list.map((r) => ({ revision: r.revision, author: r.author, created_at: r.createdAt, change: r.change, modules_hash: r.modulesHash, modules: r.modules, active: r.revision === active })),
    };
  });

  app.get('/policy-revisions/:revision', {
    schema: {
      tags: ['policies'],
      summary: 'One policy revision with the text of every module',
      params: Type.Object({ revision: StoredInt() }),
      response: {
        200: Type.Object({
          revision: Type.Integer(),
          author: Type.String(),
          created_at: Type.String(),
          change: Type.String(),
          modules_hash: Type.String(),
          modules: Type.Record(Type.String(), Type.String(), { description: 'module id → Rego text' }),
          active: Type.Boolean(),
        }),
        ...opaErrors,
      },
    },
  }, async (request) => {
    requireOperator(request, 'policies:read');
    const active = (await policies.fresh()).revision;
    const r = await policies.getRevision(request.params.revision);
    return { revision: r.revision, author: r.author, created_at: r.createdAt, change: r.change, modules_hash: r.modulesHash, modules: r.modules, active: r.revision === active };
  });

  app.post(
    '/policies/evaluate',
    {
      config: EXACT,
      schema: {
        tags: ['policies'],
        summary: 'Evaluate a draft: the active modules with some replaced, added or (null) removed, stored nowhere; compile errors carry their row and column',
        body: Type.Object(
          {
            modules: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 256 }), Type.Union([Type.String(), Type.Null()]))),
            path: Type.String({ maxLength: 1000, description: "the document under data, e.g. 'mandate/authz/decision' ('' for all of data)" }),
            input: Type.Optional(Type.Unknown()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ revision: Type.Integer({ description: 'the active revision the draft was applied to' }), result: Type.Optional(Type.Unknown()) }), ...opaErrors },
      },
    },
    async (request, reply) => {
      requireOperator(request, 'policies:read');
      const body = request.body as { modules?: Record<string, string | null>; path: string; input?: unknown };
      assertJsonDocument(body.input, 'body.input', runtime.config.bodyMaxDepth);
      const { revision, result } = await policies.evaluateDraft(body.modules ?? {}, splitPath(body.path), body.input === undefined ? undefined : fromJSON(body.input), { signal: clientGone(reply) });
      const json = result === undefined ? `{"revision":${revision}}` : `{"revision":${revision},"result":${toJSON(result)}}`;
      // Sent as text (exact numbers); the cast only quiets the schema-derived reply type.
      return reply.type('application/json').serializer((x: unknown) => x as string).send(json as never);
    },
  );

  // ---- data ----------------------------------------------------------------------------------

  /** `{result}` of a document, or `{}` when it is undefined (OPA). Values keep exact numbers. */
  const evaluate = async (path: string, input: unknown, strict: boolean, signal: AbortSignal) => {
    // fromJSON turns lossless-json's numbers into exact engine numbers (BigNum beyond a double).
    const value = await policies.evaluate(splitPath(path), input === undefined ? undefined : fromJSON(input), { strictBuiltinErrors: strict, signal });
    return value === undefined ? '{}' : `{"result":${toJSON(value)}}`;
  };

  const dataRead = { tags: ['data'], querystring: OpaQuery, response: { 200: Result, ...opaErrors } };
  const readHandler = async (request: FastifyRequest<{ Params: { '*'?: string }; Querystring: { 'strict-builtin-errors'?: string } }>, reply: import('fastify').FastifyReply) => {
    requireEvaluator(request);
    const json = await evaluate(request.params['*'] ?? '', undefined, flagOn(request.query['strict-builtin-errors']), clientGone(reply));
    return reply.type('application/json').serializer((x: unknown) => x as string).send(json);
  };
  app.get('/data', { schema: { ...dataRead, summary: 'The whole data document (base and virtual)' } }, readHandler);
  app.get('/data/*', { schema: { ...dataRead, params: WildcardParams, summary: 'A document under data (OPA data API)' } }, readHandler);

  const EvalBody = Type.Optional(Type.Object({ input: Type.Optional(Type.Unknown()) }, { additionalProperties: false }));
  const evalHandler = async (
    request: FastifyRequest<{ Params: { '*'?: string }; Querystring: { 'strict-builtin-errors'?: string }; Body: { input?: unknown } | undefined }>,
    reply: import('fastify').FastifyReply,
  ) => {
    requireEvaluator(request);
    let body = request.body as unknown;
    if (typeof body === 'string') body = body.trim() === '' ? undefined : parseBodyJson(body, true);
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw new ValidationError('the body must be an object {"input": …}', { field: 'body' });
    const input = (body as { input?: unknown } | undefined)?.input;
    assertJsonDocument(input, 'body.input', runtime.config.bodyMaxDepth);
    const json = await evaluate(request.params['*'] ?? '', input, flagOn(request.query['strict-builtin-errors']), clientGone(reply));
    return reply.type('application/json').serializer((x: unknown) => x as string).send(json);
  };
  const dataEval = { tags: ['data'], querystring: OpaQuery, body: EvalBody, response: { 200: Result, ...opaErrors } };
  app.post('/data', { config: EXACT, schema: { ...dataEval, summary: 'Evaluate the whole data document with an input' } }, evalHandler);
  app.post('/data/*', { config: EXACT, schema: { ...dataEval, params: WildcardParams, summary: 'Evaluate a document under data with an input (OPA data API)' } }, evalHandler);

  const putHandler = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: import('fastify').FastifyReply) => {
    const actor = operatorActor(request, 'policies:write');
    const value = typeof request.body === 'string' ? parseBodyJson(request.body, true) : request.body;
    if (value === undefined) throw new ValidationError('the body must be a JSON document', { field: 'body' });
    assertJsonDocument(value, 'body', runtime.config.bodyMaxDepth);
    await policies.putData(splitPath(request.params['*'] ?? ''), fromJSON(value), actor);
    return reply.status(204).send(null);
  };
  const dataWrite = { tags: ['data'], response: { 204: Type.Null(), ...opaErrors } };
  app.put('/data', { config: EXACT, schema: { ...dataWrite, summary: 'Replace the whole base data document (a JSON object); a new revision' } }, putHandler);
  app.put('/data/*', { config: EXACT, schema: { ...dataWrite, params: WildcardParams, summary: 'Create or replace a base data document (JSON); a new revision' } }, putHandler);

  app.delete(
    '/data/*',
    { schema: { tags: ['data'], summary: 'Delete a base data document; a new revision', params: WildcardParams, response: { 204: Type.Null(), ...opaErrors } } },
    async (request, reply) => {
      const actor = operatorActor(request, 'policies:write');
      await policies.deleteData(splitPath(request.params['*']), actor);
      return reply.status(204).send(null);
    },
  );
};

/**
 * JSON that arrived as text (any Content-Type but application/json) is parsed in the handler,
 * after the app's request guard has run, so it gets the same check here: text no store can
 * hold, nesting beyond `bodyMaxDepth`, and a number beyond a double's range (1e999, a
 * 400-digit integer). OPA would keep such a number's text, but the engine expands integers
 * exactly, and `1e99999` repeated through a 1 MiB body would cost gigabytes.
 */
const assertJsonDocument = (value: unknown, path: string, maxDepth: number): void => assertRequestJson({ [path]: value }, maxDepth);

/**
 * A JSON body as plain data for validation and the text guard. With `exact` (the data API),
 * numbers stay lossless-json's LosslessNumber (their text) until @mandate/rego's fromJSON makes
 * them engine numbers — together, exactly parseJSON — so 123456789012345678901234567890 is not
 * rounded to a double; a key given twice with different values is refused (JSON.parse would
 * silently keep the last).
 */
function parseBodyJson(text: string, exact: boolean): unknown {
  try {
    return exact ? parseLossless(text) : (JSON.parse(text) as unknown);
  } catch (error) {
    const detail = exact && error instanceof SyntaxError ? `: ${error.message}` : '';
    throw new ValidationError(`the body is not valid JSON${detail}`, { field: 'body' });
  }
}
