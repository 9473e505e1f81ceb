import { Type } from '@sinclair/typebox';
import type { Actor } from '../../audit/index.js';
import { IDP_LIMITS, type TrustedIssuer } from '../../delegation/index.js';
import type { OperatorPrincipal } from '../../identity/index.js';
import { requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse } from '../schemas.js';

const IdpSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  issuer: Type.String(),
  jwks_uri: Type.String(),
  audiences: Type.Array(Type.String()),
  user_claim: Type.String(),
  created_at: Type.String(),
});

const view = (idp: TrustedIssuer) => ({ id: idp.id, name: idp.name, issuer: idp.issuer, jwks_uri: idp.jwksUri, audiences: idp.audiences, user_claim: idp.userClaim, created_at: idp.createdAt });
const actorOf = (p: OperatorPrincipal): Actor => ({ kind: 'operator', id: p.operatorId, roles: p.roles });

/** Admin API of the delegation context: the trusted identity providers (docs/delegation.md). */
export const delegationRoutes: MandatePlugin = async (app, { runtime }) => {
  const { idps } = runtime.delegation;

  app.post(
    '/idps',
    {
      schema: {
        tags: ['delegation'],
        body: Type.Object(
          {
            issuer: Type.String({ minLength: 1, maxLength: IDP_LIMITS.maxText, description: "the IdP's issuer, exactly as its tokens' iss" }),
            jwks_uri: Type.String({ minLength: 1, maxLength: IDP_LIMITS.maxText, description: 'where its signing keys are published' }),
            audiences: Type.Array(Type.String({ minLength: 1, maxLength: IDP_LIMITS.maxText }), { minItems: 1, maxItems: IDP_LIMITS.maxAudiences, description: "accepted aud of users' tokens" }),
            user_claim: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'the claim naming the user (default sub)' })),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: IdpSchema, 409: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = requireOperator(request, 'idps:manage');
      return reply.status(201).send(view(await idps.add(request.body, actorOf(principal))));
    },
  );

  app.get('/idps', { schema: { tags: ['delegation'], response: { 200: Type.Object({ items: Type.Array(IdpSchema) }), ...authErrors } } }, async (request) => {
    requireOperator(request, 'idps:read');
    return { items: (await idps.list()).map(view) };
  });

  app.get(
    '/idps/:id',
    { schema: { tags: ['delegation'], params: Type.Object({ id: Type.String({ maxLength: 100 }) }), response: { 200: IdpSchema, 404: ErrorResponse, ...authErrors } } },
    async (request) => {
      requireOperator(request, 'idps:read');
      return view(await idps.get(request.params.id));
    },
  );

  app.delete(
    '/idps/:id',
    { schema: { tags: ['delegation'], params: Type.Object({ id: Type.String({ maxLength: 100 }) }), response: { 204: Type.Null(), 404: ErrorResponse, ...authErrors } } },
    async (request, reply) => {
      const principal = requireOperator(request, 'idps:manage');
      await idps.remove(request.params.id, actorOf(principal));
      return reply.status(204).send(null);
    },
  );
};
