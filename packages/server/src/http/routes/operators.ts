import { Type } from '@sinclair/typebox';
import { requireOperator } from '../auth.js';
import { ForbiddenError } from '../../shared/errors.js';
import type { MandatePlugin } from '../plugin.js';
import { ceilingView, checkCeiling, MAX_CEILING_ENTRIES, ROLES, type Operator, type Role } from '../../operators/index.js';
import { CLASSIFICATION_NAMES } from '../../registry/index.js';
import type { OperatorPrincipal } from '../../identity/index.js';
import { authErrors, ErrorResponse } from '../schemas.js';

const Names = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: MAX_CEILING_ENTRIES });
const CeilingSchema = Type.Object(
  {
    scopes: Names,
    tools: Names,
    max_classification: Type.Unsafe<string>({ type: 'string', enum: [...CLASSIFICATION_NAMES], description: 'the highest data classification an owner may give' }),
  },
  { additionalProperties: false },
);

const OperatorSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  status: Type.String(),
  created_at: Type.String(),
  disabled_at: Type.Union([Type.String(), Type.Null()]),
  grant_ceiling: Type.Union([CeilingSchema, Type.Null()], { description: 'what this operator may give the agents it owns (as an owner); null: none set, so nothing' }),
});

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));

function view(operator: Operator) {
  return {
    id: operator.id,
    email: operator.email,
    name: operator.name,
    roles: operator.roles,
    status: operator.status,
    created_at: operator.createdAt,
    disabled_at: operator.disabledAt,
    grant_ceiling: operator.grantCeiling ? ceilingView(operator.grantCeiling) : null,
  };
}

const actorOf = (p: OperatorPrincipal) => ({ kind: 'operator' as const, id: p.operatorId, roles: p.roles });

/** Operators (humans) and their tokens; admins only. */
export const operatorRoutes: MandatePlugin = async (app, { runtime }) => {
  const { operators } = runtime;

  app.post(
    '/operators',
    {
      schema: {
        tags: ['operators'],
        body: Type.Object(
          {
            id: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,62}$' })),
            email: Type.String({ format: 'email', maxLength: 254 }),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            roles: Type.Array(RoleSchema, { minItems: 1, maxItems: ROLES.length }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ operator: OperatorSchema, token_id: Type.String(), token: Type.String() }), 409: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = requireOperator(request, 'operators:manage');
      const body = request.body;
      const issued = await operators.create({ ...body, roles: body.roles as Role[] }, actorOf(principal));
      return reply.status(201).send({ operator: view(issued.operator), token_id: issued.tokenId, token: issued.token });
    },
  );

  app.get(
    '/operators',
    { schema: { tags: ['operators'], response: { 200: Type.Object({ items: Type.Array(OperatorSchema) }), ...authErrors } } },
    async (request) => {
      requireOperator(request, 'operators:read');
      return { items: (await operators.list()).map(view) };
    },
  );

  app.get(
    '/operators/me',
    { schema: { tags: ['operators'], response: { 200: OperatorSchema, ...authErrors } } },
    async (request) => {
      const principal = request.principal;
      if (principal?.kind !== 'operator') throw new ForbiddenError('this call is for operators');
      return view(await operators.get(principal.operatorId));
    },
  );

  app.get(
    '/operators/:id',
    { schema: { tags: ['operators'], params: Type.Object({ id: Type.String() }), response: { 200: OperatorSchema, 404: ErrorResponse, ...authErrors } } },
    async (request) => {
      requireOperator(request, 'operators:read');
      return view(await operators.get(request.params.id));
    },
  );

  app.post(
    '/operators/:id/disable',
    { schema: { tags: ['operators'], params: Type.Object({ id: Type.String() }), response: { 200: OperatorSchema, 404: ErrorResponse, 409: ErrorResponse, ...authErrors } } },
    async (request) => {
      const principal = requireOperator(request, 'operators:manage');
      return view(await operators.disable(request.params.id, actorOf(principal)));
    },
  );

  // An owner's grant ceiling: what it may give the agents it owns (registry/ceiling.ts). Admins only.
  app.put(
    '/operators/:id/grant-ceiling',
    {
      schema: {
        tags: ['operators'],
        summary: "Set what an owner may give its agents: scopes, tools, the highest data classification (admin)",
        params: Type.Object({ id: Type.String() }),
        body: CeilingSchema,
        response: { 200: OperatorSchema, 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const principal = requireOperator(request, 'operators:manage');
      const b = request.body;
      const ceiling = checkCeiling({ scopes: b.scopes, tools: b.tools, maxClassification: b.max_classification });
      return view(await operators.setGrantCeiling(request.params.id, ceiling, actorOf(principal)));
    },
  );

  app.delete(
    '/operators/:id/grant-ceiling',
    {
      schema: {
        tags: ['operators'],
        summary: 'Remove an owner\'s grant ceiling: it may then give its agents nothing (admin)',
        params: Type.Object({ id: Type.String() }),
        response: { 200: OperatorSchema, 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const principal = requireOperator(request, 'operators:manage');
      return view(await operators.setGrantCeiling(request.params.id, null, actorOf(principal)));
    },
  );

  app.post(
    '/operators/:id/tokens',
    {
      schema: {
        tags: ['operators'],
        params: Type.Object({ id: Type.String() }),
        body: Type.Optional(Type.Object({ description: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false })),
        response: { 201: Type.Object({ token_id: Type.String(), token: Type.String() }), 404: ErrorResponse, 409: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = requireOperator(request, 'operators:manage');
      const issued = await operators.issueToken(request.params.id, request.body?.description, actorOf(principal));
      return reply.status(201).send({ token_id: issued.tokenId, token: issued.token });
    },
  );

  app.delete(
    '/operators/tokens/:tokenId',
    { schema: { tags: ['operators'], params: Type.Object({ tokenId: Type.String() }), response: { 204: Type.Null(), 404: ErrorResponse, 409: ErrorResponse, ...authErrors } } },
    async (request, reply) => {
      const principal = requireOperator(request, 'operators:manage');
      await operators.revokeToken(request.params.tokenId, actorOf(principal));
      return reply.status(204).send(null);
    },
  );
};
