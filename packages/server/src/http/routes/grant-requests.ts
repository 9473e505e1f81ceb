/**
 * Grant requests over HTTP (issue 10 item 5): an owner's registration or change beyond its grant
 * ceiling is held (`POST`/`PATCH /v1/agents…` answer 202 with the request, agents.ts) and an
 * admin with `grants:decide` lists, approves (applying it) or denies it here. The requester may
 * read its own request, never decide it (registry/grant-decide.ts).
 */
import { Type } from '@sinclair/typebox';
import { GRANT_LIST_MAX, type GrantRequest } from '../../registry/index.js';
import { can } from '../../operators/index.js';
import { ForbiddenError } from '../../shared/errors.js';
import { requireOperator } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse } from '../schemas.js';
import { agentView } from './agents.js';

const nullableString = Type.Union([Type.String(), Type.Null()]);
const Status = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('denied')]);

export const GrantRequestView = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('register'), Type.Literal('update')]),
  agent_id: nullableString,
  requested: Type.Record(Type.String(), Type.Unknown(), { description: 'the fields asked for (wire names)' }),
  exceeds: Type.Record(Type.String(), Type.Unknown(), { description: "what is beyond the owner's grant ceiling" }),
  status: Status,
  requested_by: Type.String(),
  requester_email: Type.String(),
  created_at: Type.String(),
  decided_by: nullableString,
  decided_at: nullableString,
  decision_reason: nullableString,
});

export function grantRequestView(g: GrantRequest) {
  return {
    id: g.id,
    kind: g.kind,
    agent_id: g.agentId,
    requested: g.requested,
    exceeds: g.exceeds,
    status: g.status,
    requested_by: g.requestedBy,
    requester_email: g.requesterEmail,
    created_at: g.createdAt,
    decided_by: g.decidedBy,
    decided_at: g.decidedAt,
    decision_reason: g.decisionReason,
  };
}

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const DecideBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2_000 })) }, { additionalProperties: false });

export const grantRequestRoutes: MandatePlugin = async (app, { runtime }) => {
  const { registry } = runtime;
  const tags = ['agents'];

  app.get(
    '/grant-requests',
    {
      schema: {
        tags,
        querystring: Type.Object(
          {
            status: Type.Optional(Status),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: GRANT_LIST_MAX })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(GrantRequestView) }), ...authErrors },
      },
    },
    async (request) => {
      requireOperator(request, 'grants:decide');
      return { items: (await registry.listGrantRequests(request.query.status, request.query.limit)).map(grantRequestView) };
    },
  );

  app.get('/grant-requests/:id', { schema: { tags, params: IdParams, response: { 200: GrantRequestView, 404: ErrorResponse, ...authErrors } } }, async (request) => {
    const principal = requireOperator(request, 'agents:write');
    const found = await registry.getGrantRequest(request.params.id);
    if (!can(principal.roles, 'grants:decide') && found.requestedBy !== principal.operatorId) {
      throw new ForbiddenError('an owner may read only its own grant requests', { id: request.params.id });
    }
    return grantRequestView(found);
  });

  for (const decision of ['approve', 'deny'] as const) {
    app.post(
      `/grant-requests/:id/${decision}`,
      {
        schema: {
          tags,
          params: IdParams,
          body: Type.Optional(DecideBody),
          response: { 200: Type.Object({ grant_request: GrantRequestView, agent: Type.Union([Type.Null(), Type.Unknown()]) }), 404: ErrorResponse, 409: ErrorResponse, ...authErrors },
        },
      },
      async (request) => {
        const principal = requireOperator(request, 'grants:decide');
        const decider = { operatorId: principal.operatorId, email: principal.email, actor: { kind: 'operator' as const, id: principal.operatorId, roles: principal.roles } };
        const decided = await registry.decideGrantRequest(request.params.id, decision, decider, request.body?.reason ?? null);
        return { grant_request: grantRequestView(decided.request), agent: decided.agent ? agentView(decided.agent) : null };
      },
    );
  }
};
