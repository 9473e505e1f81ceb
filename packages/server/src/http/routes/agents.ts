import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import type { OperatorPrincipal } from '../../identity/index.js';
import { authErrors, ErrorResponse, Page, Paging, STORED_INT_MAX } from '../schemas.js';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../shared/errors.js';
import { reachOf, type Permission } from '../../operators/index.js';
import {
  AGENT_STATUSES,
  CLASSIFICATION_NAMES,
  FIELD_LIMITS,
  isAgentStatus,
  LIFECYCLE_ACTION_NAMES,
  MAX_JWKS_KEYS,
  type AccessScope,
  type Agent,
  type AgentPatch,
  type AgentStatus,
  type GrantRequest,
} from '../../registry/index.js';
import { grantRequestView, GrantRequestView } from './grant-requests.js';

const L = FIELD_LIMITS;
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Scopes = Type.Array(Type.String({ minLength: 1, maxLength: L.scope.maxLength, pattern: L.scope.pattern }), { maxItems: L.scopes.maxItems });
const Tools = Type.Array(Type.String({ minLength: 1, maxLength: L.tool.maxLength, pattern: L.tool.pattern }), { maxItems: L.tools.maxItems });
const Classification = Type.Union(CLASSIFICATION_NAMES.map((name) => Type.Literal(name)));
const Jwks = Type.Object(
  { keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1, maxItems: MAX_JWKS_KEYS }) },
  { additionalProperties: false, description: 'public JWK Set for private_key_jwt (RFC 7523); private key material is refused' },
);
const Metadata = Type.Record(Type.String(), Type.String({ maxLength: L.metadataValue.maxLength }), { maxProperties: L.metadata.maxProperties });

const fields = {
  name: Type.String({ minLength: L.name.minLength, maxLength: L.name.maxLength }),
  purpose: Type.String({ minLength: L.purpose.minLength, maxLength: L.purpose.maxLength }),
  owner: Type.String({ minLength: 3, maxLength: L.owner.maxLength, pattern: L.owner.pattern, description: 'email of the responsible human' }),
  scopes: Scopes,
  tools: Tools,
  data_classification: Classification,
  environment: Type.String({ minLength: 1, maxLength: L.environment.maxLength, pattern: L.environment.pattern }),
  token_ttl_seconds: nullable(Type.Integer({ maximum: STORED_INT_MAX, description: 'access token lifetime; within the server limits (oauth.accessTokenTtlMin/MaxSeconds)' })),
  jwks: nullable(Jwks),
  tls_client_auth_subject_dn: nullable(Type.String({ minLength: 1, maxLength: L.tlsClientAuthSubjectDn.maxLength })),
  metadata: nullable(Metadata),
};

const RegisterBody = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: L.id.maxLength, pattern: L.id.pattern, description: 'generated from name and environment when left out' })),
    name: fields.name,
    purpose: fields.purpose,
    owner: fields.owner,
    scopes: fields.scopes,
    tools: fields.tools,
    data_classification: fields.data_classification,
    environment: fields.environment,
    token_ttl_seconds: Type.Optional(fields.token_ttl_seconds),
    jwks: Type.Optional(fields.jwks),
    tls_client_auth_subject_dn: Type.Optional(fields.tls_client_auth_subject_dn),
    metadata: Type.Optional(fields.metadata),
  },
  { additionalProperties: false },
);

const PatchBody = Type.Object(
  {
    name: Type.Optional(fields.name),
    purpose: Type.Optional(fields.purpose),
    owner: Type.Optional(fields.owner),
    scopes: Type.Optional(fields.scopes),
    tools: Type.Optional(fields.tools),
    data_classification: Type.Optional(fields.data_classification),
    environment: Type.Optional(fields.environment),
    token_ttl_seconds: Type.Optional(fields.token_ttl_seconds),
    jwks: Type.Optional(fields.jwks),
    tls_client_auth_subject_dn: Type.Optional(fields.tls_client_auth_subject_dn),
    metadata: Type.Optional(fields.metadata),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Fields a PATCH may not touch, and where to go instead. */
const FIXED_FIELDS: Record<string, string> = {
  id: 'is fixed at registration',
  client_id: 'is fixed at registration',
  client_secret: 'cannot be set; use POST /v1/agents/{id}/rotate-secret',
  status: 'changes only through POST /v1/agents/{id}/suspend, /resume, /deprecate or /decommission',
  last_review: 'is recorded by POST /v1/agents/{id}/review',
  created_at: 'is set by the server',
  created_by: 'is set by the server',
  updated_at: 'is set by the server',
};

const AgentView = Type.Object({
  id: Type.String(),
  client_id: Type.String(),
  name: Type.String(),
  purpose: Type.String(),
  owner: Type.String(),
  scopes: Type.Array(Type.String()),
  tools: Type.Array(Type.String()),
  data_classification: Type.String(),
  environment: Type.String(),
  status: Type.String(),
  token_ttl_seconds: nullable(Type.Integer()),
  jwks: nullable(Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) })),
  tls_client_auth_subject_dn: nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
  created_at: Type.String(),
  created_by: Type.String(),
  updated_at: Type.String(),
  status_changed_at: Type.String(),
  status_changed_by: Type.String(),
  status_reason: nullable(Type.String()),
  last_review: nullable(Type.Object({ at: Type.String(), by: Type.String(), notes: nullable(Type.String()) })),
  review_due_at: Type.String(),
  review_overdue: Type.Boolean(),
  client_secret_issued_at: nullable(Type.String()),
  previous_secret_expires_at: nullable(Type.String()),
});

/** A lifecycle move's answer: the agent, and every credential the move took back (a decommission lists them all). */
const TransitionView = Type.Object({
  ...AgentView.properties,
  revoked: Type.Array(Type.Object({ kind: Type.String(), id: Type.String(), detail: Type.Optional(Type.String()) }), {
    description: 'credentials taken back with the move: client_secret, tokens, lease, task, certificate',
  }),
});
const WithSecret = Type.Object({ agent: AgentView, client_id: Type.String(), client_secret: Type.String() });
const Rotated = Type.Object({ agent: AgentView, client_id: Type.String(), client_secret: Type.String(), previous_secret_expires_at: nullable(Type.String()) });
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ maxLength: 100, description: `comma-separated: ${AGENT_STATUSES.join(', ')}` })),
    owner: Type.Optional(Type.String({ maxLength: L.owner.maxLength })),
    environment: Type.Optional(Type.String({ maxLength: L.environment.maxLength })),
    classification: Type.Optional(Classification),
    scope: Type.Optional(Type.String({ maxLength: L.scope.maxLength })),
    review_overdue: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    ...Paging,
  },
  { additionalProperties: false },
);
const ReasonBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: L.reason.maxLength })) }, { additionalProperties: false });
const ReviewBody = Type.Object({ notes: Type.Optional(Type.String({ maxLength: L.reviewNotes.maxLength })) }, { additionalProperties: false });

/** The body of these calls is optional: a request without one validates as `{}`. */
async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

export function agentView(agent: Agent) {
  return {
    id: agent.id,
    client_id: agent.clientId,
    name: agent.name,
    purpose: agent.purpose,
    owner: agent.owner,
    scopes: agent.scopes,
    tools: agent.tools,
    data_classification: agent.dataClassification,
    environment: agent.environment,
    status: agent.status,
    token_ttl_seconds: agent.tokenTtlSeconds,
    jwks: agent.jwks,
    tls_client_auth_subject_dn: agent.tlsClientAuthSubjectDn,
    metadata: agent.metadata,
    created_at: agent.createdAt,
    created_by: agent.createdBy,
    updated_at: agent.updatedAt,
    status_changed_at: agent.statusChangedAt,
    status_changed_by: agent.statusChangedBy,
    status_reason: agent.statusReason,
    last_review: agent.lastReview,
    review_due_at: agent.reviewDueAt,
    review_overdue: agent.reviewOverdue,
    client_secret_issued_at: agent.clientSecretIssuedAt,
    previous_secret_expires_at: agent.previousSecretExpiresAt,
  };
}

const actorOf = (p: OperatorPrincipal) => ({ kind: 'operator' as const, id: p.operatorId, roles: p.roles });
const requesterOf = (p: OperatorPrincipal) => ({ operatorId: p.operatorId, email: p.email });

/** 202: beyond the owner's grant ceiling, held for an admin (grant-requests.ts). */
const Held = Type.Object({ grant_request: GrantRequestView, message: Type.String() });
const heldView = (held: GrantRequest, why: string) => ({
  grant_request: grantRequestView(held),
  message: `held for an admin: ${why}; nothing is granted until an admin approves grant request ${held.id}`,
});

/** The operator allowed `permission`, and how far it reaches: an owner-only operator sees and changes only its own agents. */
export function operatorAccess(request: FastifyRequest, permission: Permission): { principal: OperatorPrincipal; access: AccessScope } {
  const principal = requireOperator(request, permission);
  return { principal, access: reachOf(principal.roles, permission) === 'own' ? { owner: principal.email.toLowerCase() } : {} };
}

function parseStatuses(text: string | undefined): AgentStatus[] | undefined {
  if (text === undefined) return undefined;
  const statuses = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = statuses.filter((s) => !isAgentStatus(s));
  if (unknown.length > 0) {
    throw new ValidationError(`querystring.status: unknown status ${unknown.join(', ')}; allowed: ${AGENT_STATUSES.join(', ')}`, { field: 'querystring.status' });
  }
  return statuses as AgentStatus[];
}

/** Secrets in a response must not be cached by any intermediary. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** The agent registry over HTTP: register, list, read, change, lifecycle, review, rotate the client secret. */
export const agentRoutes: MandatePlugin = async (app, { runtime }) => {
  const { registry, operators } = runtime;
  const tags = ['agents'];

  /** `operatorAccess` plus, for an owner-scoped writer, the grant ceiling an admin set for it (read now). */
  const writerAccess = async (request: FastifyRequest): Promise<{ principal: OperatorPrincipal; access: AccessScope }> => {
    const { principal, access } = operatorAccess(request, 'agents:write');
    if (access.owner === undefined) return { principal, access };
    const { grantCeiling } = await operators.get(principal.operatorId);
    return { principal, access: { ...access, ceiling: grantCeiling } };
  };

  app.post(
    '/agents',
    { schema: { tags, body: RegisterBody, response: { 201: WithSecret, 202: Held, 409: ErrorResponse, ...authErrors } } },
    async (request, reply) => {
      const { principal, access } = await writerAccess(request);
      const b = request.body;
      const outcome = await registry.registerOrHold(
        {
          id: b.id,
          name: b.name,
          purpose: b.purpose,
          owner: b.owner,
          scopes: b.scopes,
          tools: b.tools,
          dataClassification: b.data_classification,
          environment: b.environment,
          tokenTtlSeconds: b.token_ttl_seconds,
          jwks: b.jwks,
          tlsClientAuthSubjectDn: b.tls_client_auth_subject_dn,
          metadata: b.metadata,
        },
        actorOf(principal),
        access,
        requesterOf(principal),
      );
      // Beyond an owner's grant ceiling: held for an admin, nothing registered yet.
      if ('held' in outcome) return reply.status(202).send(heldView(outcome.held, outcome.why));
      const registered = outcome.registered;
      return reply
        .status(201)
        .headers(NO_STORE)
        .send({ agent: agentView(registered.agent), client_id: registered.clientId, client_secret: registered.clientSecret });
    },
  );

  app.get(
    '/agents',
    { schema: { tags, querystring: ListQuery, response: { 200: Page(AgentView), ...authErrors } } },
    async (request) => {
      const { access } = operatorAccess(request, 'agents:read');
      const q = request.query;
      const page = await registry.list(
        { status: parseStatuses(q.status), owner: q.owner, environment: q.environment, classification: q.classification, scope: q.scope, reviewOverdue: q.review_overdue, q: q.q },
        { limit: q.limit, cursor: q.cursor },
        access,
      );
      return { items: page.items.map(agentView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/agents/:id',
    { schema: { tags, params: IdParams, response: { 200: AgentView, 404: ErrorResponse, ...authErrors } } },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new UnauthenticatedError();
      if (principal.kind === 'agent') {
        // An agent may read its own record (with its own access token), and nothing else here.
        if (principal.agentId !== request.params.id) throw new ForbiddenError('an agent may read only its own record');
        return agentView(await registry.get(request.params.id));
      }
      const { access } = operatorAccess(request, 'agents:read');
      return agentView(await registry.get(request.params.id, access));
    },
  );

  app.patch(
    '/agents/:id',
    {
      schema: { tags, params: IdParams, body: PatchBody, response: { 200: AgentView, 202: Held, 404: ErrorResponse, 409: ErrorResponse, ...authErrors } },
      // Before schema validation, so a fixed field gets a message that says where to go instead.
      preValidation: async (request) => {
        const body = request.body;
        if (typeof body !== 'object' || body === null) return;
        const fixed = Object.keys(body).find((key) => key in FIXED_FIELDS);
        if (fixed) throw new ValidationError(`body.${fixed} ${FIXED_FIELDS[fixed]}`, { field: `body.${fixed}` });
      },
    },
    async (request, reply) => {
      const { principal, access } = await writerAccess(request);
      const b = request.body;
      const patch: AgentPatch = {};
      if (b.name !== undefined) patch.name = b.name;
      if (b.purpose !== undefined) patch.purpose = b.purpose;
      if (b.owner !== undefined) patch.owner = b.owner;
      if (b.scopes !== undefined) patch.scopes = b.scopes;
      if (b.tools !== undefined) patch.tools = b.tools;
      if (b.data_classification !== undefined) patch.dataClassification = b.data_classification;
      if (b.environment !== undefined) patch.environment = b.environment;
      if (b.token_ttl_seconds !== undefined) patch.tokenTtlSeconds = b.token_ttl_seconds;
      if (b.jwks !== undefined) patch.jwks = b.jwks;
      if (b.tls_client_auth_subject_dn !== undefined) patch.tlsClientAuthSubjectDn = b.tls_client_auth_subject_dn;
      if (b.metadata !== undefined) patch.metadata = b.metadata;
      const outcome = await registry.updateOrHold(request.params.id, patch, actorOf(principal), access, requesterOf(principal));
      if ('held' in outcome) return reply.status(202).send(heldView(outcome.held, outcome.why));
      return agentView(outcome.updated);
    },
  );

  for (const action of LIFECYCLE_ACTION_NAMES) {
    app.post(
      `/agents/:id/${action}`,
      {
        schema: { tags, params: IdParams, body: ReasonBody, response: { 200: TransitionView, 404: ErrorResponse, 409: ErrorResponse, ...authErrors } },
        preValidation: emptyBodyAsObject,
      },
      async (request) => {
        const { principal, access } = operatorAccess(request, 'agents:write');
        const { agent, revoked } = await registry.transitionWithRevocations(request.params.id, action, actorOf(principal), request.body.reason, access);
        return { ...agentView(agent), revoked };
      },
    );
  }

  app.post(
    '/agents/:id/review',
    {
      schema: { tags, params: IdParams, body: ReviewBody, response: { 200: AgentView, 404: ErrorResponse, 409: ErrorResponse, ...authErrors } },
      preValidation: emptyBodyAsObject,
    },
    async (request) => {
      const { principal, access } = operatorAccess(request, 'agents:write');
      return agentView(await registry.review(request.params.id, request.body.notes, actorOf(principal), access));
    },
  );

  app.post(
    '/agents/:id/rotate-secret',
    { schema: { tags, params: IdParams, response: { 200: Rotated, 404: ErrorResponse, 409: ErrorResponse, ...authErrors } } },
    async (request, reply) => {
      const { principal, access } = operatorAccess(request, 'agents:write');
      const rotated = await registry.rotateSecret(request.params.id, actorOf(principal), access);
      return reply.headers(NO_STORE).send({
        agent: agentView(rotated.agent),
        client_id: rotated.clientId,
        client_secret: rotated.clientSecret,
        previous_secret_expires_at: rotated.previousSecretExpiresAt,
      });
    },
  );
};
