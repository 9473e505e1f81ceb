import { Type } from '@sinclair/typebox';
import type { Actor } from '../../audit/index.js';
import { UnauthenticatedError } from '../../shared/errors.js';
import { requireOperator } from '../auth.js';
import { CLASSIFICATION_NAMES, type DataClassification } from '../../registry/index.js';
import { requireAllowed } from '../agent-decision.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse, StoredInt } from '../schemas.js';

const tags = ['databases'];
const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$' });
const Statements = Type.Array(Type.String({ minLength: 1, maxLength: 4000 }), { minItems: 1, maxItems: 20 });
const ConnectionSchema = Type.Object({
  name: Type.String(),
  plugin: Type.String(),
  username: Type.String(),
  rotation_period_seconds: Type.Integer(),
  root_rotated_at: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
});
const RoleSchema = Type.Object({
  connection: Type.String(),
  name: Type.String(),
  creation_statements: Type.Array(Type.String()),
  revocation_statements: Type.Union([Type.Array(Type.String()), Type.Null()]),
  default_ttl: Type.Integer(),
  max_ttl: Type.Integer(),
  classification: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
const Creds = Type.Object({ username: Type.String(), password: Type.String(), lease_id: Type.String(), ttl: Type.Integer(), expires_at: Type.String() });

/**
 * Dynamic database credentials over HTTP. Operators configure connections (db:manage; the root
 * URL goes in and never comes out) and roles; credentials go to an agent when the policy
 * decision point allows `read` of `{type: "database", id: "<connection>/<role>"}` via tool `db`,
 * or to an operator with db:creds.
 */
export const databaseRoutes: MandatePlugin = async (app, { runtime }) => {
  const { databases } = runtime;
  const operatorActor = (p: { operatorId: string; roles: string[] }): Actor => ({ kind: 'operator', id: p.operatorId, roles: p.roles });

  app.get('/db', { schema: { tags, summary: 'List database connections', response: { 200: Type.Object({ items: Type.Array(ConnectionSchema) }), ...authErrors } } }, async (request) => {
    requireOperator(request, 'db:read');
    return { items: await databases.connections() };
  });

  app.put(
    '/db/:name',
    {
      schema: {
        tags,
        summary: 'Configure a connection (root URL stored sealed; tried with SELECT 1 first)',
        params: Type.Object({ name: Name }),
        body: Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000, pattern: '^postgres(ql)?://' }), rotation_period_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000 })) }, { additionalProperties: false }),
        response: { 200: ConnectionSchema, 502: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const principal = requireOperator(request, 'db:manage');
      return databases.configure({ name: request.params.name, url: request.body.url, rotationPeriodSeconds: request.body.rotation_period_seconds }, operatorActor(principal));
    },
  );

  app.get(
    '/db/:name',
    { schema: { tags, summary: 'A connection and its roles (never the root password)', params: Type.Object({ name: Name }), response: { 200: Type.Object({ ...ConnectionSchema.properties, roles: Type.Array(RoleSchema) }), 404: ErrorResponse, ...authErrors } } },
    async (request) => {
      requireOperator(request, 'db:read');
      return databases.connection(request.params.name);
    },
  );

  app.post(
    '/db/:name/rotate-root',
    { schema: { tags, summary: 'Rotate the root password so that only Mandate knows it', params: Type.Object({ name: Name }), response: { 200: Type.Object({ rotated_at: Type.String() }), 404: ErrorResponse, 502: ErrorResponse, ...authErrors } } },
    async (request) => {
      const principal = requireOperator(request, 'db:manage');
      return { rotated_at: (await databases.rotateRoot(request.params.name, operatorActor(principal))).rotatedAt };
    },
  );

  app.put(
    '/db/:name/roles/:role',
    {
      schema: {
        tags,
        summary: 'Define a role: creation SQL ({{name}} {{password}} {{expiration}}), revocation SQL ({{name}}), TTLs',
        params: Type.Object({ name: Name, role: Name }),
        body: Type.Object(
          {
            creation_statements: Statements,
            revocation_statements: Type.Optional(Statements),
            default_ttl: Type.Optional(StoredInt()),
            max_ttl: Type.Optional(StoredInt()),
            classification: Type.Optional(Type.Unsafe<DataClassification>({ type: 'string', enum: [...CLASSIFICATION_NAMES], description: 'data classification (default restricted)' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RoleSchema, 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const principal = requireOperator(request, 'db:manage');
      const b = request.body;
      return databases.defineRole(
        { connection: request.params.name, name: request.params.role, creationStatements: b.creation_statements, revocationStatements: b.revocation_statements, defaultTtlSeconds: b.default_ttl, maxTtlSeconds: b.max_ttl, classification: b.classification as DataClassification | undefined },
        operatorActor(principal),
      );
    },
  );

  app.get(
    '/db/:name/roles/:role',
    { schema: { tags, summary: 'A role', params: Type.Object({ name: Name, role: Name }), response: { 200: RoleSchema, 404: ErrorResponse, ...authErrors } } },
    async (request) => {
      requireOperator(request, 'db:read');
      return databases.role(request.params.name, request.params.role);
    },
  );

  app.post(
    '/db/:name/creds/:role',
    {
      schema: {
        tags,
        summary: 'Fresh credentials under a lease (default 60 s); pass task_id to end them with the task',
        params: Type.Object({ name: Name, role: Name }),
        body: Type.Optional(Type.Object({ ttl: Type.Optional(StoredInt()), task_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false })),
        response: { 200: Creds, 404: ErrorResponse, 429: ErrorResponse, 502: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new UnauthenticatedError();
      const { name, role } = request.params;
      let actor: Actor;
      let agentId: string | null = null;
      if (principal.kind === 'agent') {
        const sensitivity = await databases.classification(name, role);
        await requireAllowed(runtime, principal, { action: 'read', tool: 'db', resource: { type: 'database', id: `${name}/${role}`, sensitivity } });
        actor = { kind: 'agent', id: principal.agentId };
        agentId = principal.agentId;
      } else {
        actor = operatorActor(requireOperator(request, 'db:creds'));
      }
      const issued = await databases.issue({ connection: name, role, agentId, taskId: request.body?.task_id, ttlSeconds: request.body?.ttl }, actor);
      return { username: issued.username, password: issued.password, lease_id: issued.leaseId, ttl: issued.ttl, expires_at: issued.expiresAt };
    },
  );
};
