/**
 * `POST /v1/authorize`: the policy decision point over HTTP (policy/decision-point.ts). Who
 * may call and whose token is judged is identity's (identity/decision-caller.ts); the route is
 * public to the /v1 authentication hook because that decision authenticates the caller itself.
 */
import { Type } from '@sinclair/typebox';
import { decisionCaller, type OperatorPrincipal } from '../../identity/index.js';
import { CLASSIFICATION_NAMES } from '../../registry/index.js';
import type { DecisionRequest } from '../../policy/index.js';
import { requirePermission } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors } from '../schemas.js';

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
    package: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$', maxLength: 200, description: "policy package to evaluate instead of the server's (policy.decisionPackage): operators with policies:write only" })),
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
  /** An operator asks with decisions:request; naming a policy package also takes policies:write. */
  const callerOptions = (namesPackage: boolean) => ({
    audience: oauth.issuer,
    checkOperator: (operator: OperatorPrincipal) => {
      requirePermission(operator, 'decisions:request');
      if (namesPackage) requirePermission(operator, 'policies:write');
    },
  });

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
      const call = await decisionCaller(authenticator, request, body.token, callerOptions(body.package !== undefined));
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
