import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../audit/index.js';
import { MAX_LIST, PATH_MAX_LENGTH, type SecretStore } from '../../secrets/index.js';
import { UnauthenticatedError, ValidationError } from '../../shared/errors.js';
import { requireOperator, requireOperatorOrAgent } from '../auth.js';
import { CLASSIFICATION_NAMES, type DataClassification } from '../../registry/index.js';
import { requireAllowed } from '../agent-decision.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse, StoredInt } from '../schemas.js';

const tags = ['secrets'];
const Data = Type.Record(Type.String({ minLength: 1, maxLength: 256 }), Type.String(), { maxProperties: 256, description: 'string keys to string values' });
const Classification = Type.Unsafe<DataClassification>({ type: 'string', enum: [...CLASSIFICATION_NAMES], description: 'data classification (default restricted)' });
const Version = Type.Object({ path: Type.String(), version: Type.Integer(), data: Data, created_at: Type.String() });
const Metadata = Type.Object({
  path: Type.String(),
  current_version: Type.Integer(),
  classification: Type.String(),
  max_versions: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
  versions: Type.Array(Type.Object({ version: Type.Integer(), created_at: Type.String(), deleted_at: Type.Union([Type.String(), Type.Null()]), destroyed: Type.Boolean() })),
});
const PathParams = Type.Object({ '*': Type.String({ minLength: 1, maxLength: PATH_MAX_LENGTH }) });

/** `1,2,3` → [1, 2, 3]; 400 naming the field otherwise. */
function parseVersions(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const versions = text.split(',').map((part) => Number(part));
  if (versions.some((v) => !Number.isInteger(v) || v < 1)) throw new ValidationError('versions must be a comma-separated list of version numbers', { field: 'querystring.versions' });
  return versions;
}

function actorOf(request: FastifyRequest): Actor {
  const principal = requireOperatorOrAgent(request);
  return principal.kind === 'agent' ? { kind: 'agent', id: principal.agentId } : { kind: 'operator', id: principal.operatorId, roles: principal.roles };
}

/**
 * The secret store over HTTP. Operators write, list and delete by role (secrets:write,
 * secrets:list); a read is allowed to an operator with secrets:read, or to an agent when the
 * policy decision point allows `read` of resource `{type: "secret", id: <path>}` via tool
 * `secrets` (agent-decision.ts). Reads and writes are audited by the store (paths and versions).
 */
export const secretRoutes: MandatePlugin = async (app, { runtime }) => {
  const secrets: SecretStore = runtime.secrets;

  app.get(
    '/secrets',
    {
      schema: {
        tags,
        summary: 'List secret paths under a prefix (no values)',
        querystring: Type.Object({ prefix: Type.Optional(Type.String({ maxLength: PATH_MAX_LENGTH })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIST })), after: Type.Optional(Type.String({ maxLength: PATH_MAX_LENGTH })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ paths: Type.Array(Type.String()) }), ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'secrets:list');
      return { paths: await secrets.list(request.query.prefix ?? '', request.query.limit ?? 100, request.query.after) };
    },
  );

  app.put(
    '/secrets/*',
    {
      schema: {
        tags,
        summary: 'Write a new version of a secret (cas: check-and-set on the current version, 0 = only if new)',
        params: PathParams,
        body: Type.Object({ data: Data, cas: Type.Optional(StoredInt({ minimum: 0 })), classification: Type.Optional(Classification) }, { additionalProperties: false }),
        response: { 200: Type.Object({ path: Type.String(), version: Type.Integer(), created_at: Type.String() }), 409: ErrorResponse, 413: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'secrets:write');
      const path = request.params['*'];
      const written = await secrets.write(path, request.body.data, actorOf(request), { cas: request.body.cas, classification: request.body.classification as DataClassification | undefined });
      return { path, version: written.version, created_at: written.createdAt };
    },
  );

  app.get(
    '/secrets/*',
    {
      schema: {
        tags,
        summary: 'Read a secret (newest version, or ?version=N); ?metadata=true gives its versions without values',
        params: PathParams,
        querystring: Type.Object({ version: Type.Optional(StoredInt()), metadata: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Union([Version, Metadata]), 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const path = request.params['*'];
      const principal = request.principal;
      if (!principal) throw new UnauthenticatedError();
      if (request.query.metadata) {
        requireOperator(request, 'secrets:list');
        const m = await secrets.metadata(path);
        return { path: m.path, current_version: m.currentVersion, classification: m.classification, max_versions: m.maxVersions, created_at: m.createdAt, updated_at: m.updatedAt, versions: m.versions.map((v) => ({ version: v.version, created_at: v.createdAt, deleted_at: v.deletedAt, destroyed: v.destroyed })) };
      }
      if (principal.kind === 'agent') {
        await requireAllowed(runtime, principal, { action: 'read', tool: 'secrets', resource: { type: 'secret', id: path, sensitivity: await secrets.classification(path) } });
      }
      else requireOperator(request, 'secrets:read');
      const read = await secrets.read(path, actorOf(request), request.query.version);
      return { path, version: read.version, data: read.data, created_at: read.createdAt };
    },
  );

  app.delete(
    '/secrets/*',
    {
      schema: {
        tags,
        summary: 'Soft-delete versions of a secret (newest by default); destroy=true erases them for good',
        params: PathParams,
        querystring: Type.Object({ versions: Type.Optional(Type.String({ maxLength: 1000 })), destroy: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ path: Type.String(), versions: Type.Array(Type.Integer()), destroyed: Type.Boolean() }), 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'secrets:write');
      const path = request.params['*'];
      const destroy = request.query.destroy === true;
      const versions = await secrets.change(path, destroy ? 'destroy' : 'delete', actorOf(request), parseVersions(request.query.versions));
      return { path, versions, destroyed: destroy };
    },
  );
};
