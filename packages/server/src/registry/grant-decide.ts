import { isoTime } from '../shared/clock.js';
import type { Tx } from '../storage/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../shared/errors.js';
import type { RegistryDeps } from './deps.js';
import { checkAgentPatch, checkNewAgent, type AgentFields } from './fields.js';
import { grantEvent, grantFromRow } from './grant-read.js';
import { insertIn } from './register.js';
import type { Agent, GrantDecider, GrantRequest, NewAgent } from './types.js';
import { updateIn } from './update.js';

/** What deciding a grant request did: the request as decided, and the agent an approval created or changed. */
export interface GrantDecision {
  request: GrantRequest;
  agent: Agent | null;
}

/**
 * An admin approves or denies a held grant request. Separation of duties: the operator who
 * asked (same operator id or same email) may not decide it. Approval applies the registration
 * or change with the admin's authority (no ceiling) and marks the request approved in ONE
 * transaction with their audit entries: a failure (the agent was decommissioned meanwhile, an
 * id was taken) rolls everything back and the request stays pending; a request already decided
 * is 409. An approved registration's client secret is not shown to the admin: the owner
 * rotates it (`mandate agent rotate-secret`).
 */
export async function decideGrantRequest(deps: RegistryDeps, id: string, decision: 'approve' | 'deny', decider: GrantDecider, reason: string | null): Promise<GrantDecision> {
  const found = await deps.grants.byId(id);
  if (!found) throw new NotFoundError('grant request', id);
  if (found.requested_by === decider.operatorId || found.requester_email === decider.email.toLowerCase()) {
    throw new ForbiddenError(`grant request '${id}' was made by you: another admin must decide it (separation of duties)`, { code: 'own_request' });
  }
  return deps.audit.withEntry<GrantDecision>(async (trx) => {
    const row = await deps.grants.lockById(trx, id);
    if (!row || row.status !== 'pending') throw new ConflictError(`grant request '${id}' is already ${row?.status ?? 'gone'}`, { status: row?.status ?? null });
    const at = isoTime(deps.clock.now());
    const decided = { decided_by: decider.operatorId, decided_at: at, decision_reason: reason };
    const about = { grant_request: id, kind: row.kind, requested_by: row.requested_by, reason };
    if (decision === 'deny') {
      if (!(await deps.grants.decide(trx, id, { status: 'denied', ...decided }))) throw new ConflictError(`grant request '${id}' was decided meanwhile`);
      return { result: { request: grantFromRow({ ...row, status: 'denied', ...decided }), agent: null }, events: [grantEvent('agent.grant_denied', 'deny_grant', decider.actor, id, row.agent_id, about)] };
    }
    // Checked again with today's rules: the request was checked when held, the rules may have changed.
    const requested = JSON.parse(row.request) as Partial<AgentFields> & { id?: string };
    const applied =
      row.kind === 'register'
        ? await registerApproved(deps, trx, requested, decider, id)
        : await updateIn(deps, trx, row.agent_id!, checkAgentPatch(requested, deps.settings.tokenTtl), decider.actor, {}, { grant_request: id });
    const agent = 'agent' in applied.result ? applied.result.agent : applied.result;
    if (!(await deps.grants.decide(trx, id, { status: 'approved', agent_id: agent.id, ...decided }))) throw new ConflictError(`grant request '${id}' was decided meanwhile`);
    return {
      result: { request: grantFromRow({ ...row, status: 'approved', agent_id: agent.id, ...decided }), agent },
      events: [...applied.events, grantEvent('agent.grant_approved', 'approve_grant', decider.actor, id, agent.id, about)],
    };
  });
}

function registerApproved(deps: RegistryDeps, trx: Tx, requested: Partial<AgentFields> & { id?: string }, decider: GrantDecider, requestId: string) {
  const { id, ...fields } = requested;
  return insertIn(deps, trx, checkNewAgent(fields as NewAgent, deps.settings.tokenTtl), id, decider.actor, { grant_request: requestId });
}
