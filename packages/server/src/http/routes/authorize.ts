/**
 * `POST /v1/authorize`: the policy decision point over HTTP (policy/decision-point.ts).
 *
 * Who may call, and whose token is judged:
 *
 * | caller (Authorization)                          | token judged                 | invalid token            |
 * |-------------------------------------------------|------------------------------|--------------------------|
 * | an agent: `Bearer <its access token>` (or DPoP) | its own (`token` optional, must be the same) | 401             |
 * | an operator with `decisions:request`: `Bearer mop_…` | `token` (required)      | 200 `deny` `invalid_token` |
 * | a resource server: `Basic` with its client credentials | `token` (required; its `aud` must name the server) | 200 `deny` `invalid_token` |
 *
 * The route is public to the /v1 authentication hook and authenticates itself, so an agent's
 * token is verified once per decision through the decision point's cache (subjects.ts)
 * instead of once by the hook and again by the decision point.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { CLASSIFICATION_NAMES } from '../../registry/classification.js';
import { can } from '../../operators/roles.js';
import { presentedCredentials } from '../../oauth/client-auth.js';
import type { Caller, DecisionRequest } from '../../policy/input.js';
import type { AuthorizeCall } from '../../policy/decision-point.js';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../shared/errors.js';
import { bearerToken } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors } from '../schemas.js';

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/;
const Name = (max = 200) => Type.String({ minLength: 1, maxLength: max });

const AuthorizeBody = Type.Object(
  {
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 16_384, description: "the agent's access token, when the caller is a resource server or an operator" })),
    action: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.:-]*$', maxLength: 100, description: 'read, write, delete, admin, or a finer verb such as events.insert' }),
    tool: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/@-]*$', maxLength: 200, description: '<api>[:<operation>], e.g. google-calendar-api:events.insert' }),
    resource: Type.Object(
      {
        type: Name(),
        id: Name(1000),
        owner: Type.Optional(Name()),
        sensitivity: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...CLASSIFICATION_NAMES] })),
      },
      { additionalProperties: false },
    ),
    context: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 })),
    approval_id: Type.Optional(Name()),
    package: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$', maxLength: 200, description: 'policy package to evaluate (default mandate.authz)' })),
    sensitive_context: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}$' }), { maxItems: 100, description: 'keys of `context` whose values the decision log stores only as HMACs' }),
    ),
  },
  { additionalProperties: false },
);

const DecisionResponse = Type.Object({
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny'), Type.Literal('approval_required')]),
  reasons: Type.Array(Type.String()),
  obligations: Type.Array(Type.Unknown()),
  decision_id: Type.String(),
  policy_revision: Type.Integer(),
  approval_id: Type.Optional(Type.String()),
});

export const authorizeRoutes: MandatePlugin = async (app, { runtime }) => {
  const { decisions, oauth, authenticator } = runtime;

  /** Who is calling, which token to judge and how (see the table above). */
  const callFor = async (request: FastifyRequest, bodyToken: string | undefined): Promise<Omit<AuthorizeCall, 'request'>> => {
    const header = request.headers.authorization;
    if (!header) throw new UnauthenticatedError('missing credentials: an agent sends its access token as Bearer; resource servers use Basic; operators Bearer mop_…');
    if (/^Basic\s/i.test(header)) {
      const presented = presentedCredentials(header, new Map());
      const server = presented && presented.method === 'client_secret_basic' ? await oauth.resourceServers.authenticate(presented.clientId, presented.secret) : null;
      if (!server) throw new UnauthenticatedError('resource server authentication failed');
      if (bodyToken === undefined) throw new ValidationError("body.token is required: the agent's access token", { field: 'body.token' });
      return { caller: { kind: 'resource_server', id: server.id }, token: bodyToken, tokenFromBody: true, audience: server.audience, proofChecked: true };
    }
    const own = bearerToken(request);
    if (!own) throw new UnauthenticatedError('unsupported Authorization scheme');
    if (JWT_SHAPE.test(own)) {
      if (bodyToken !== undefined && bodyToken !== own) throw new ForbiddenError('an agent may ask only about its own token; resource servers and operators pass other tokens', { field: 'body.token' });
      // DPoP: the proof is checked by the /v1 authenticator (oauth); the decision point then reuses the cached claims.
      const dpop = /^DPoP\s/i.test(header);
      if (dpop) await authenticator.authenticate(request);
      return { caller: { kind: 'agent', id: '' }, token: own, tokenFromBody: false, audience: oauth.issuer, proofChecked: dpop };
    }
    const principal = await authenticator.authenticate(request);
    if (principal.kind !== 'operator') throw new ForbiddenError('unexpected credential');
    if (!can(principal.roles, 'decisions:request')) {
      throw new ForbiddenError(`role ${principal.roles.join(', ')} may not decisions:request`, { permission: 'decisions:request', roles: principal.roles });
    }
    if (bodyToken === undefined) throw new ValidationError("body.token is required: the agent's access token", { field: 'body.token' });
    const caller: Caller = { kind: 'operator', id: principal.operatorId };
    return { caller, token: bodyToken, tokenFromBody: true, audience: null, proofChecked: true };
  };

  app.post(
    '/authorize',
    {
      config: { public: true },
      schema: {
        tags: ['authorization'],
        summary: 'Can this agent, acting for this user, via this tool, now, do this action on this resource?',
        body: AuthorizeBody,
        response: { 200: DecisionResponse, ...authErrors },
      },
    },
    async (request) => {
      const body = request.body;
      const call = await callFor(request, body.token);
      return decisions.authorize({
        ...call,
        request: {
          action: body.action,
          tool: body.tool,
          resource: body.resource as DecisionRequest['resource'],
          context: body.context,
          approvalId: body.approval_id,
          package: body.package,
          sensitiveContext: body.sensitive_context,
        },
      });
    },
  );
};
