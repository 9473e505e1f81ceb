import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../audit/index.js';
import type { OperatorPrincipal } from '../../identity/index.js';
import { personActor as personActorOf, type Consent, type RegisteredClient } from '../../oauth/index.js';
import { can } from '../../operators/index.js';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.js';
import { requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors } from '../schemas.js';

const ClientSchema = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  type: Type.String({ description: 'public (PKCE only) or confidential (with a client secret)' }),
  redirect_uris: Type.Array(Type.String()),
  client_uri: Type.Union([Type.String(), Type.Null()]),
  logo_uri: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});

const ConsentSchema = Type.Object({
  id: Type.String(),
  user: Type.String(),
  client_id: Type.String(),
  client_name: Type.String(),
  resource: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: Type.String(),
});

const clientView = (c: RegisteredClient) => ({ client_id: c.clientId, name: c.name, type: c.type, redirect_uris: c.redirectUris, client_uri: c.clientUri, logo_uri: c.logoUri, created_at: c.createdAt });
const consentView = (c: Consent) => ({ id: c.id, user: c.userId, client_id: c.clientId, client_name: c.clientName, resource: c.resource, scopes: c.scopes, created_at: c.createdAt });
const actorOf = (p: OperatorPrincipal): Actor => ({ kind: 'operator', id: p.operatorId, roles: p.roles });

/**
 * Whose consents the caller sees and may revoke: every person's with consents:read / :manage,
 * otherwise only the caller's own (an operator is the person of their email).
 */
function consentCaller(request: FastifyRequest): { actor: Actor; self: string; all: { read: boolean; manage: boolean } } {
  const principal = request.principal;
  if (!principal) throw new UnauthenticatedError();
  // A person signed in at the company IdP manages their own consents (the session's email is their user id).
  if (principal.kind === 'person') return { actor: personActorOf(principal.email), self: principal.email, all: { read: false, manage: false } };
  if (principal.kind !== 'operator') throw new ForbiddenError('consents are managed by the person who gave them, or by an admin');
  return { actor: actorOf(principal), self: principal.email, all: { read: can(principal.roles, 'consents:read'), manage: can(principal.roles, 'consents:manage') } };
}

/** People's clients (`/v1/clients`, admins) and consents (`/v1/consents`, each person's own; admins all). */
export const clientRoutes: MandatePlugin = async (app, { runtime }) => {
  const { oauth } = runtime;

  app.post(
    '/clients',
    {
      schema: {
        tags: ['oauth'],
        summary: "Register a people's client (authorization code + PKCE)",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            type: Type.Union([Type.Literal('public'), Type.Literal('confidential')], { description: 'public: PKCE only (native and browser apps, MCP clients); confidential: with a client secret, shown once' }),
            redirect_uris: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { minItems: 1, maxItems: 20 }),
            client_uri: Type.Optional(Type.String({ maxLength: 2000 })),
            logo_uri: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ client: ClientSchema, client_secret: Type.Union([Type.String(), Type.Null()]) }), ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = requireOperator(request, 'clients:manage');
      const body = request.body;
      const { client, clientSecret } = await oauth.clients.create({ name: body.name, type: body.type, redirectUris: body.redirect_uris, clientUri: body.client_uri, logoUri: body.logo_uri }, actorOf(principal));
      return reply.status(201).header('cache-control', 'no-store').send({ client: clientView(client), client_secret: clientSecret });
    },
  );

  app.get('/clients', { schema: { tags: ['oauth'], response: { 200: Type.Object({ items: Type.Array(ClientSchema) }), ...authErrors } } }, async (request) => {
    requireOperator(request, 'clients:read');
    return { items: (await oauth.clients.list()).map(clientView) };
  });

  app.get('/clients/:id', { schema: { tags: ['oauth'], params: Type.Object({ id: Type.String({ maxLength: 200 }) }), response: { 200: ClientSchema, ...authErrors } } }, async (request) => {
    requireOperator(request, 'clients:read');
    return clientView(await oauth.clients.get(request.params.id));
  });

  app.delete('/clients/:id', { schema: { tags: ['oauth'], params: Type.Object({ id: Type.String({ maxLength: 200 }) }), response: { 204: Type.Null(), ...authErrors } } }, async (request, reply) => {
    const principal = requireOperator(request, 'clients:manage');
    await oauth.clients.delete(request.params.id, actorOf(principal));
    return reply.status(204).send(null);
  });

  app.get(
    '/consents',
    {
      config: { people: true },
      schema: {
        tags: ['oauth'],
        summary: "Consents people gave to clients: the caller's own, or anyone's with consents:read (filter by user)",
        querystring: Type.Object({ user: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })) }),
        response: { 200: Type.Object({ items: Type.Array(ConsentSchema) }), ...authErrors },
      },
    },
    async (request) => {
      const caller = consentCaller(request);
      const user = request.query.user;
      if (user !== undefined && user !== caller.self && !caller.all.read) throw new ForbiddenError('reading other people’s consents needs consents:read');
      const owner = user ?? (caller.all.read ? undefined : caller.self);
      return { items: (await oauth.consents.list(owner)).map(consentView) };
    },
  );

  app.delete(
    '/consents/:id',
    { config: { people: true }, schema: { tags: ['oauth'], summary: "Revoke a consent: the client's refresh tokens stop and its access tokens are revoked", params: Type.Object({ id: Type.String({ maxLength: 100 }) }), response: { 200: ConsentSchema, ...authErrors } } },
    async (request) => {
      const caller = consentCaller(request);
      return consentView(await oauth.revokeConsent(request.params.id, caller.actor, caller.all.manage ? undefined : caller.self));
    },
  );
};
