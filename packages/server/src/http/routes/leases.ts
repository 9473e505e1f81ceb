import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../audit/index.js';
import { leaseView, type Lease, type LeaseSelector, type LeaseStatus } from '../../leases/index.js';
import { UnauthenticatedError, ValidationError } from '../../shared/errors.js';
import { requireOperator, requireOperatorOrAgent } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse } from '../schemas.js';

const tags = ['leases'];
export const LeaseSchema = Type.Object({
  lease_id: Type.String(),
  engine: Type.String(),
  path: Type.String(),
  agent_id: Type.Union([Type.String(), Type.Null()]),
  task_id: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  issued_at: Type.String(),
  expires_at: Type.String(),
  max_expires_at: Type.String(),
  ttl: Type.Integer(),
  attempts: Type.Integer(),
  last_error: Type.Union([Type.String(), Type.Null()]),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
  revoke_reason: Type.Union([Type.String(), Type.Null()]),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const STATUSES: readonly LeaseStatus[] = ['active', 'revoking', 'revoked'];

/** Who is calling, and which leases it may touch: an agent its own, an operator with `permission` any. */
function caller(request: FastifyRequest, permission: 'leases:read' | 'leases:manage'): { actor: Actor; agentId: string | null } {
  const principal = requireOperatorOrAgent(request);
  if (principal.kind === 'agent') return { actor: { kind: 'agent', id: principal.agentId }, agentId: principal.agentId };
  requireOperator(request, permission);
  return { actor: { kind: 'operator', id: principal.operatorId, roles: principal.roles }, agentId: null };
}

/** An agent touches only its own leases; anyone else's answers like a missing one. */
const mayTouch = (agentId: string | null) => (lease: Lease) => agentId === null || lease.agentId === agentId;

/**
 * Leases over HTTP: list, renew (never past the max TTL), revoke one, or revoke many by agent,
 * task or path prefix. Agents see and manage their own leases; operators by role.
 */
export const leaseRoutes: MandatePlugin = async (app, { runtime }) => {
  const { leases, clock, config } = runtime;

  app.get(
    '/leases',
    {
      schema: {
        tags,
        summary: 'List leases (live by default); agents see their own',
        querystring: Type.Object(
          {
            agent_id: Type.Optional(Type.String({ maxLength: 200 })),
            task_id: Type.Optional(Type.String({ maxLength: 200 })),
            prefix: Type.Optional(Type.String({ maxLength: 600 })),
            status: Type.Optional(Type.String({ maxLength: 100, description: 'comma-separated: active, revoking, revoked' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(LeaseSchema) }), ...authErrors },
      },
    },
    async (request) => {
      const { agentId } = caller(request, 'leases:read');
      const q = request.query;
      const statuses = q.status ? q.status.split(',') : ['active', 'revoking'];
      const bad = statuses.find((s) => !STATUSES.includes(s as LeaseStatus));
      if (bad !== undefined) throw new ValidationError(`status '${bad}' is not one of ${STATUSES.join(', ')}`, { field: 'querystring.status' });
      const selector: LeaseSelector = { agentId: agentId ?? q.agent_id, taskId: q.task_id, prefix: q.prefix };
      const items = await leases.list(selector, statuses as LeaseStatus[], q.limit ?? 100);
      return { items: items.map((lease) => leaseView(lease, clock.now())) };
    },
  );

  app.post(
    '/leases/:id/renew',
    {
      schema: {
        tags,
        summary: 'Renew a live lease by `increment` seconds from now, never past its max TTL',
        params: IdParams,
        body: Type.Optional(Type.Object({ increment: Type.Optional(Type.Integer({ minimum: 1, maximum: 31_536_000 })) }, { additionalProperties: false })),
        response: { 200: LeaseSchema, 404: ErrorResponse, 409: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const { actor, agentId } = caller(request, 'leases:manage');
      const lease = await leases.renew(request.params.id, request.body?.increment ?? config.secrets.dbDefaultTtlSeconds, actor, mayTouch(agentId));
      return leaseView(lease, clock.now());
    },
  );

  app.post(
    '/leases/:id/revoke',
    {
      schema: { tags, summary: 'Revoke a lease now', params: IdParams, response: { 200: LeaseSchema, 404: ErrorResponse, ...authErrors } },
    },
    async (request) => {
      const { actor, agentId } = caller(request, 'leases:manage');
      return leaseView(await leases.revokeOne(request.params.id, actor, mayTouch(agentId)), clock.now());
    },
  );

  app.post(
    '/leases/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke every live lease of an agent, a task, or under a path prefix (operators)',
        body: Type.Object(
          { agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), task_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 600 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ leases: Type.Array(Type.String()), revoked: Type.Array(Type.String()), retrying: Type.Array(Type.String()) }), ...authErrors },
      },
    },
    async (request) => {
      const principal = requireOperator(request, 'leases:manage');
      const b = request.body;
      if (b.agent_id === undefined && b.task_id === undefined && b.prefix === undefined) throw new ValidationError('name agent_id, task_id or prefix: revoking every lease at once is not an API call', { field: 'body' });
      const { marked, revoked } = await leases.revoke({ agentId: b.agent_id, taskId: b.task_id, prefix: b.prefix }, 'revoked', { kind: 'operator', id: principal.operatorId, roles: principal.roles });
      return { leases: marked, revoked, retrying: marked.filter((id) => !revoked.includes(id)) };
    },
  );
};
