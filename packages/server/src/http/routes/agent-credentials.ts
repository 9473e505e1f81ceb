import { Type } from '@sinclair/typebox';
import { AGENT_CHAINS_MAX, AGENT_LINKS_MAX, type DelegationLink } from '../../delegation/index.js';
import { leaseView } from '../../leases/index.js';
import { LIVE_TOKENS_MAX, liveTokensOf, type LiveToken } from '../../oauth/index.js';
import { can } from '../../operators/index.js';
import { taskView } from '../../tasks/index.js';
import type { MandatePlugin } from '../plugin.js';
import { authErrors, ErrorResponse } from '../schemas.js';
import { operatorAccess } from './agents.js';
import { LeaseSchema } from './leases.js';
import { TaskSchema } from './tasks.js';
import { CertificateView, certificateView } from './workload.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const TokenSchema = Type.Object({
  jti: Type.String(),
  issued_at: Type.String(),
  expires_at: Type.String(),
  grant_type: Type.String(),
  scopes: Type.Array(Type.String()),
  audience: Type.Union([Type.String(), Type.Array(Type.String())]),
  dpop: Type.Boolean(),
  chain_id: Nullable(Type.String()),
  depth: Type.Union([Type.Integer(), Type.Null()]),
  task_id: Nullable(Type.String()),
  audit_seq: Type.Integer({ description: 'the audit entry that recorded its issuance' }),
});

const LinkSchema = Type.Object({
  jti: Type.String(),
  chain_id: Type.String(),
  parent_jti: Nullable(Type.String()),
  root: Type.Object({ sub: Type.String(), iss: Type.String() }),
  agent_id: Type.String(),
  depth: Type.Integer(),
  scopes: Type.Array(Type.String()),
  audience: Type.String(),
  grant_type: Type.String(),
  created_at: Type.String(),
  expires_at: Type.String(),
});

const tokenView = (t: LiveToken) => ({
  jti: t.jti,
  issued_at: t.issuedAt,
  expires_at: t.expiresAt,
  grant_type: t.grantType,
  scopes: t.scopes,
  audience: t.audience,
  dpop: t.dpop,
  chain_id: t.chainId,
  depth: t.depth,
  task_id: t.taskId,
  audit_seq: t.auditSeq,
});

const linkView = (l: DelegationLink) => ({
  jti: l.jti,
  chain_id: l.chainId,
  parent_jti: l.parentJti,
  root: l.root,
  agent_id: l.agentId,
  depth: l.depth,
  scopes: l.scopes,
  audience: l.audience,
  grant_type: l.grantType,
  created_at: l.createdAt,
  expires_at: l.expiresAt,
});

/**
 * What an agent holds now, for the console's agent detail (owners see their own agents):
 * its live credentials from each context that issues them (oauth's tokens, workload's
 * certificates, leases, tasks), and the delegation chains it takes part in. Reads only.
 */
export const agentCredentialRoutes: MandatePlugin = async (app, { runtime }) => {
  const { registry, oauth, auditReader, workload, leases, tasks, delegation, clock, config } = runtime;
  const tags = ['agents'];

  app.get(
    '/agents/:id/credentials',
    {
      schema: {
        tags,
        summary: "The agent's live credentials: access tokens not expired nor revoked, certificates, leases (with leases:read), open tasks",
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIVE_TOKENS_MAX, description: 'most tokens, newest first' })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            agent_id: Type.String(),
            tokens: Type.Array(TokenSchema),
            tokens_complete: Type.Boolean({ description: 'false when more live tokens exist than listed' }),
            certificates: Type.Array(CertificateView),
            leases: Type.Union([Type.Array(LeaseSchema), Type.Null()], { description: 'null without the leases:read permission' }),
            tasks: Type.Array(TaskSchema),
          }),
          404: ErrorResponse,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { principal, access } = operatorAccess(request, 'agents:read');
      const agent = await registry.get(request.params.id, access);
      const now = clock.now();
      const lifetimeSeconds = config.oauth.accessTokenTtlMaxSeconds + config.oauth.clockSkewSeconds;
      const live = await liveTokensOf(auditReader, oauth.revocations, agent.id, { nowMs: now, lifetimeSeconds, limit: request.query.limit ?? 100 });
      const seesLeases = can(principal.roles, 'leases:read');
      return {
        agent_id: agent.id,
        tokens: live.tokens.map(tokenView),
        tokens_complete: live.complete,
        certificates: (await workload.liveCertificates(agent.id)).map(certificateView),
        leases: seesLeases ? (await leases.list({ agentId: agent.id }, ['active', 'revoking'], 1000)).map((lease) => leaseView(lease, now)) : null,
        tasks: (await tasks.openOf(agent.id)).map(taskView),
      };
    },
  );

  app.get(
    '/agents/:id/delegations',
    {
      schema: {
        tags: [...tags, 'delegation'],
        summary: 'The live delegation chains the agent takes part in, every link of each (parent_jti points up): trees to draw',
        params: IdParams,
        querystring: Type.Object({ chains: Type.Optional(Type.Integer({ minimum: 1, maximum: AGENT_CHAINS_MAX, description: 'most chains, newest first' })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ agent_id: Type.String(), items: Type.Array(LinkSchema) }), 404: ErrorResponse, ...authErrors },
      },
    },
    async (request) => {
      const { access } = operatorAccess(request, 'agents:read');
      const agent = await registry.get(request.params.id, access);
      const links = await delegation.linksAround(agent.id, { chains: request.query.chains ?? AGENT_CHAINS_MAX, limit: AGENT_LINKS_MAX });
      return { agent_id: agent.id, items: links.map(linkView) };
    },
  );
};
