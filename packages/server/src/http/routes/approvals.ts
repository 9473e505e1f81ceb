import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import {
  APPROVAL_STATUSES,
  approvalView,
  delegationFromClaims,
  isDelegatingUser,
  type Approval,
  type ApprovalStatus,
  type Decider,
  type Decision,
} from '../../approvals/index.js';
import type { Actor } from '../../audit/index.js';
import { can } from '../../operators/index.js';
import { checkInputLimits } from '../../policy/index.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../shared/errors.js';
import { requireAgent, requireOperatorOrAgent } from '../auth.js';
import type { MandatePlugin } from '../plugin.js';
import type { AgentPrincipal, OperatorPrincipal } from '../../identity/index.js';
import { authErrors, ErrorResponse, Page, Paging } from '../schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const StatusSchema = Type.Unsafe<ApprovalStatus>({ type: 'string', enum: [...APPROVAL_STATUSES] });

const ResourceSchema = Type.Object(
  {
    type: Name,
    id: Type.String({ minLength: 1, maxLength: 1000 }),
    owner: Type.Optional(Name),
    sensitivity: Type.Optional(Name),
  },
  { additionalProperties: false },
);

const ApprovalSchema = Type.Object({
  id: Type.String(),
  status: StatusSchema,
  agent_id: Type.String(),
  chain: Type.Array(Type.Object({ sub: Type.String(), client_id: Type.Optional(Type.String()) })),
  on_behalf_of: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  tool: Type.String(),
  resource: Type.Object({ type: Type.String(), id: Type.String() }, { additionalProperties: true }),
  reason: Type.String(),
  origin: Type.String(),
  request_context: Type.Record(Type.String(), Type.Unknown(), { description: "the caller's context the approval is bound to" }),
  context: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: "the server's facts for the deciders (not bound)" }),
  binding_hash: Type.String({ description: 'SHA-256 hex of the RFC 8785 canonical JSON of {v, agent_id, action, tool, resource, on_behalf_of, context, chain} (docs/approvals.md)' }),
  required_approvals: Type.Integer(),
  approvals: Type.Array(
    Type.Object({ operator_id: Type.String(), email: Type.String(), at: Type.String(), reason: Type.Union([Type.String(), Type.Null()]) }),
  ),
  created_at: Type.String(),
  expires_at: Type.String(),
  decided_by: Type.Union([Type.String(), Type.Null()]),
  decided_at: Type.Union([Type.String(), Type.Null()]),
  decision_reason: Type.Union([Type.String(), Type.Null()]),
  used_at: Type.Union([Type.String(), Type.Null()]),
});

const DecisionBody = Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }));
const IdParams = Type.Object({ id: Type.String({ maxLength: 200 }) });

function principalOf(request: FastifyRequest): OperatorPrincipal | AgentPrincipal {
  return requireOperatorOrAgent(request);
}

/**
 * Human approvals over HTTP: agents ask (`POST /approvals`) and wait on their own requests;
 * operators list, read and decide. Which operator may decide is the service's rule
 * (approvals/deciders.ts); this file only maps callers to it.
 */
export const approvalRoutes: MandatePlugin = async (app, { runtime }) => {
  const { approvals, config } = runtime;
  const settings = config.approvals;

  /** Who may read one approval: its own agent, readers (approvals:read), the delegating user when allowed. */
  const mayRead = (principal: OperatorPrincipal | AgentPrincipal, approval: Approval): boolean => {
    if (principal.kind === 'agent') return approval.agentId === principal.agentId;
    if (can(principal.roles, 'approvals:read')) return true;
    return settings.allowDelegatingUser && isDelegatingUser(approval, principal.email);
  };

  // On shutdown, answer parked long-polls now (with the current state) instead of holding the
  // close for up to approvals.maxWaitSeconds; clients simply poll again elsewhere.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    approvals.releaseWaits();
  });

  const readable = async (principal: OperatorPrincipal | AgentPrincipal, id: string): Promise<Approval> => {
    const approval = await approvals.find(id);
    // Someone else's request answers like a missing one, so ids cannot be probed.
    if (!approval || !mayRead(principal, approval)) throw new NotFoundError('approval', id);
    return approval;
  };

  app.post(
    '/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: 'An agent asks a human to approve one exact action (agent token)',
        body: Type.Object(
          {
            action: Name,
            tool: Name,
            resource: ResourceSchema,
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
            on_behalf_of: Type.Optional(Name),
            context: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the context the agent will send with the action; the approval is bound to it' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ApprovalSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const agent = requireAgent(request);
      const body = request.body;
      const delegation = delegationFromClaims(agent.agentId, agent.clientId, agent.claims);
      // The user is the token's (a delegated token's subject), exactly as the decision point
      // binds it; a body may confirm it but not name someone else, or the approval would be
      // bound to a request the agent can never make.
      if (body.on_behalf_of !== undefined && body.on_behalf_of !== delegation.onBehalfOf) {
        throw new ForbiddenError(
          delegation.onBehalfOf === null
            ? `this token acts for no user, so it cannot ask on behalf of '${body.on_behalf_of}'`
            : `this token acts for '${delegation.onBehalfOf}', not '${body.on_behalf_of}'`,
        );
      }
      const actor: Actor = {
        kind: 'agent',
        id: agent.agentId,
        chain: delegation.chain,
        ...(delegation.onBehalfOf ? { onBehalfOf: delegation.onBehalfOf } : {}),
      };
      // The action this approves must pass /v1/authorize's input limits, or it could never be
      // used: refused here (400/413 naming the limit) rather than stored.
      checkInputLimits(body, { maxBytes: config.policy.decisionInputMaxBytes, maxDepth: config.policy.decisionInputMaxDepth });
      const approval = await approvals.createRequest(
        {
          agentId: agent.agentId,
          chain: delegation.chain,
          onBehalfOf: delegation.onBehalfOf,
          action: body.action,
          tool: body.tool,
          resource: body.resource,
          reason: body.reason,
          origin: 'agent',
          // The context the agent will send with the action: the approval is bound to it.
          requestContext: body.context,
        },
        actor,
      );
      return reply.status(201).send(approvalView(approval));
    },
  );

  app.get(
    '/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: 'List approval requests, oldest first (agents see only their own)',
        querystring: Type.Object(
          {
            status: Type.Optional(StatusSchema),
            agent_id: Type.Optional(Type.String({ maxLength: 200 })),
            on_behalf_of: Type.Optional(Type.String({ maxLength: 200 })),
            ...Paging,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ApprovalSchema), ...authErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const query = request.query;
      const filter = { status: query.status as ApprovalStatus | undefined, agentId: query.agent_id, onBehalfOf: query.on_behalf_of, limit: query.limit, cursor: query.cursor };
      if (principal.kind === 'agent') {
        if (query.agent_id !== undefined && query.agent_id !== principal.agentId) throw new ForbiddenError('agents may list only their own approval requests');
        filter.agentId = principal.agentId;
      } else if (!can(principal.roles, 'approvals:read')) {
        if (!settings.allowDelegatingUser) {
          throw new ForbiddenError(`role ${principal.roles.join(', ')} may not approvals:read`, { permission: 'approvals:read', roles: principal.roles });
        }
        // Without the role, a user sees the requests of agents acting for them (and only those
        // whose chain proves it, as deciders.ts checks).
        filter.onBehalfOf = principal.email;
      }
      const page = await approvals.list(filter);
      const items = page.items.filter((a) => mayRead(principal, a));
      return { items: items.map(approvalView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/approvals/:id',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Read one approval request; `wait=N` long-polls until it is no longer pending',
        params: IdParams,
        querystring: Type.Object(
          { wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, description: `seconds; capped at approvals.maxWaitSeconds` })) },
          { additionalProperties: false },
        ),
        response: { 200: ApprovalSchema, 404: ErrorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const current = await readable(principal, request.params.id);
      const wait = request.query.wait ?? 0;
      if (wait === 0 || current.status !== 'pending') return approvalView(current);
      // The client going away (its socket closing) ends the wait and frees the parked waiter.
      const gone = new AbortController();
      const onClose = () => gone.abort();
      request.raw.socket.once('close', onClose);
      try {
        const settled = await approvals.wait(current.id, wait, gone.signal);
        // Released by shutdown: close this keep-alive connection after answering, or the
        // server's close would wait for it to time out.
        if (closing) void reply.header('connection', 'close');
        return approvalView(settled);
      } finally {
        request.raw.socket.off('close', onClose);
      }
    },
  );

  const decide = (decision: Decision) => async (request: FastifyRequest<{ Params: { id: string }; Body: { reason?: string } | undefined }>) => {
    const principal = principalOf(request);
    const decider: Decider =
      principal.kind === 'agent'
        ? { kind: 'agent', id: principal.agentId }
        : { kind: 'operator', id: principal.operatorId, email: principal.email, roles: principal.roles };
    return approvalView(await approvals.decide(request.params.id, decision, decider, request.body?.reason ?? null));
  };

  // `{reason?}` is optional, so is the body: a decision POSTed with none (curl -X POST) is `{}`.
  const DECISION_ROUTES = new Set(['/v1/approvals/:id/approve', '/v1/approvals/:id/deny']);
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && DECISION_ROUTES.has(request.routeOptions.url ?? '')) request.body = {};
  });
  const decisionSchema = (summary: string) => ({
    tags: ['approvals'],
    summary,
    params: IdParams,
    body: DecisionBody,
    response: { 200: ApprovalSchema, 404: ErrorResponse, 409: ErrorResponse, ...authErrors },
  });

  app.post('/approvals/:id/approve', { schema: decisionSchema('Approve (admin, approver; under the two-person rule, one of two)') }, decide('approve'));
  app.post('/approvals/:id/deny', { schema: decisionSchema('Deny, with an optional reason shown to the agent') }, decide('deny'));
};
