import { Type } from '@sinclair/typebox';
import type { Actor } from '../../audit/index.js';
import type { ResourceServer } from '../../oauth/index.js';
import { requireOperator, requirePermission } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import type { OperatorPrincipal } from '../../identity/index.js';
import { authErrors, ErrorResponse } from '../schemas.js';

const KeySchema = Type.Object({
  kid: Type.String(),
  alg: Type.String(),
  state: Type.String({ description: 'pending (published, not yet signing), active (signing) or retired (published until its tokens expire)' }),
  activates_at: Type.String(),
  retires_at: Type.Union([Type.String(), Type.Null()]),
  remove_at: Type.Union([Type.String(), Type.Null()]),
});

const ResourceServerSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  audience: Type.String(),
  scopes: Type.Array(Type.String()),
  client_id: Type.String(),
  created_at: Type.String(),
  policy_package: Type.Union([Type.String(), Type.Null()], { description: "the policy package its decisions evaluate, bound by an admin; null: the server's (policy.decisionPackage)" }),
});

const PolicyPackage = Type.Union(
  [Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$', maxLength: 200 }), Type.Null()],
  { description: "policy package evaluated for this resource server's POST /v1/authorize calls (null: the server's); needs policies:write" },
);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const actorOf = (p: OperatorPrincipal): Actor => ({ kind: 'operator', id: p.operatorId, roles: p.roles });
const view = (s: ResourceServer) => ({ id: s.id, name: s.name, audience: s.audience, scopes: s.scopes, client_id: s.clientId, created_at: s.createdAt, policy_package: s.policyPackage });

/** Admin API of the OAuth context: signing keys and resource servers. */
export const oauthAdminRoutes: MandatePlugin = async (app, { runtime }) => {
  const { oauth } = runtime;
  const keyList = () =>
    oauth.keys.list().map((k) => ({ kid: k.kid, alg: k.alg, state: k.state, activates_at: iso(k.activatesAt)!, retires_at: iso(k.retiresAt), remove_at: iso(k.removeAt) }));

  app.get('/keys', { schema: { tags: ['oauth'], response: { 200: Type.Object({ items: Type.Array(KeySchema) }), ...authErrors } } }, async (request) => {
    requireOperator(request, 'keys:manage');
    await oauth.keys.reload();
    return { items: keyList() };
  });

  app.post(
    '/keys/rotate',
    {
      schema: {
        tags: ['oauth'],
        body: Type.Optional(
          Type.Object(
            { immediate: Type.Optional(Type.Boolean({ description: 'sign with the new key at once (key compromise) instead of after the publish delay' })) },
            { additionalProperties: false },
          ),
        ),
        response: { 200: Type.Object({ items: Type.Array(KeySchema) }), ...authErrors },
      },
    },
    async (request) => {
      const principal = requireOperator(request, 'keys:manage');
      await oauth.keys.maintain({ rotateNow: true, immediate: request.body?.immediate === true }, actorOf(principal));
      return { items: keyList() };
    },
  );

  app.post(
    '/resource-servers',
    {
      schema: {
        tags: ['oauth'],
        body: Type.Object(
          {
            audience: Type.String({ minLength: 1, maxLength: 2000, description: 'absolute URI: the `resource` agents ask for and the `aud` of their tokens' }),
            scopes: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            policy_package: Type.Optional(PolicyPackage),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ resource_server: ResourceServerSchema, client_id: Type.String(), client_secret: Type.String() }), 409: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = requireOperator(request, 'resource-servers:manage');
      const { policy_package: policyPackage, ...fields } = request.body;
      // Choosing which rules judge a server's requests is writing policy.
      if (policyPackage) requirePermission(principal, 'policies:write');
      const { server, clientSecret } = await oauth.resourceServers.create({ ...fields, policyPackage }, actorOf(principal));
      return reply.status(201).send({ resource_server: view(server), client_id: server.clientId, client_secret: clientSecret });
    },
  );

  app.get('/resource-servers', { schema: { tags: ['oauth'], response: { 200: Type.Object({ items: Type.Array(ResourceServerSchema) }), ...authErrors } } }, async (request) => {
    requireOperator(request, 'resource-servers:manage');
    return { items: (await oauth.resourceServers.list()).map(view) };
  });

  app.get(
    '/resource-servers/:id',
    { schema: { tags: ['oauth'], params: Type.Object({ id: Type.String() }), response: { 200: ResourceServerSchema, 404: ErrorResponse, ...authErrors } } },
    async (request) => {
      requireOperator(request, 'resource-servers:manage');
      return view(await oauth.resourceServers.get(request.params.id));
    },
  );

  app.patch(
    '/resource-servers/:id',
    {
      schema: {
        tags: ['oauth'],
        params: Type.Object({ id: Type.String() }),
        body: Type.Object({ policy_package: PolicyPackage }, { additionalProperties: false }),
        response: { 200: ResourceServerSchema, 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const principal = requireOperator(request, 'resource-servers:manage');
      requirePermission(principal, 'policies:write');
      return view(await oauth.resourceServers.bindPackage(request.params.id, request.body.policy_package, actorOf(principal)));
    },
  );

  app.delete(
    '/resource-servers/:id',
    { schema: { tags: ['oauth'], params: Type.Object({ id: Type.String() }), response: { 204: Type.Null(), 404: ErrorResponse, ...authErrors } } },
    async (request, reply) => {
      const principal = requireOperator(request, 'resource-servers:manage');
      await oauth.resourceServers.delete(request.params.id, actorOf(principal));
      return reply.status(204).send(null);
    },
  );
};
