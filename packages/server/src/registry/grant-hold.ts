import type { Actor } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { MandateError } from '../shared/errors.js';
import { randomId } from '../shared/ids.js';
import { ceilingExcess, type CeilingExcess } from './ceiling.js';
import type { RegistryDeps } from './deps.js';
import { wireFields, type AgentFields } from './fields.js';
import { grantEvent, grantFromRow } from './grant-read.js';
import { checkRegistration, registerChecked } from './register.js';
import type { GrantRequestRow } from './tables.js';
import type { AccessScope, Agent, AgentPatch, GrantRequest, NewAgent, RegisteredAgent } from './types.js';
import { checkPatch, editableRow, updateIn } from './update.js';

/**
 * An owner's registration or change beyond its grant ceiling is held as a grant request for an
 * admin instead of being refused (issue 10 item 5): nothing is granted, the request and its
 * `agent.grant_requested` entry commit together, and the caller learns its id and what exceeds.
 * Within the ceiling (or for an admin) the change is made at once, as before.
 */

/** The requesting operator (an owner-scoped caller): who may not approve its own request. */
export interface Requester {
  operatorId: string;
  email: string;
}

/** Held: the request, and a sentence saying what is beyond the ceiling (as the 403 used to). */
export interface Held {
  held: GrantRequest;
  why: string;
}
/** Most grant requests one operator may have pending: each is for an admin to read. */
export const MAX_PENDING_GRANTS_PER_OPERATOR = 20;

export type RegisterOutcome = { registered: RegisteredAgent } | Held;
export type UpdateOutcome = { updated: Agent } | Held;

export async function registerOrHold(deps: RegistryDeps, input: NewAgent, actor: Actor, access: AccessScope, requester: Requester): Promise<RegisterOutcome> {
  const { fields, explicitId } = checkRegistration(deps, input, access);
  const excess = ceilingExcess(fields, access);
  if (!excess) return { registered: await registerChecked(deps, fields, explicitId, actor) };
  const requested = { ...(explicitId === undefined ? {} : { id: explicitId }), ...fields };
  return { held: await hold(deps, 'register', null, requested, excess, actor, requester), why: excess.message };
}

export async function updateOrHold(deps: RegistryDeps, id: string, patch: AgentPatch, actor: Actor, access: AccessScope, requester: Requester): Promise<UpdateOutcome> {
  const next = checkPatch(deps, patch, access);
  const excess = ceilingExcess(next, access);
  if (!excess) return { updated: await deps.audit.withEntry((trx) => updateIn(deps, trx, id, next, actor, access)) };
  // The agent must be the owner's and still editable now, or the request could never apply.
  return { held: await hold(deps, 'update', id, next, excess, actor, requester, access), why: excess.message };
}

async function hold(
  deps: RegistryDeps,
  kind: 'register' | 'update',
  agentId: string | null,
  requested: Partial<AgentFields> & { id?: string },
  excess: CeilingExcess,
  actor: Actor,
  requester: Requester,
  access: AccessScope = {},
): Promise<GrantRequest> {
  const row: GrantRequestRow = {
    id: randomId('gr'),
    kind,
    agent_id: agentId,
    request: JSON.stringify(requested),
    exceeds: JSON.stringify(excess.exceeds),
    status: 'pending',
    requested_by: requester.operatorId,
    requester_email: requester.email.toLowerCase(),
    created_at: isoTime(deps.clock.now()),
    decided_by: null,
    decided_at: null,
    decision_reason: null,
  };
  return deps.audit.withEntry(async (trx) => {
    if (agentId !== null) await editableRow(deps, trx, agentId, access);
    if ((await deps.grants.countPendingBy(trx, requester.operatorId)) >= MAX_PENDING_GRANTS_PER_OPERATOR) {
      throw new MandateError('too_many_pending', 429, `operator '${requester.operatorId}' already has ${MAX_PENDING_GRANTS_PER_OPERATOR} grant requests pending; wait for an admin to decide them`, {
        limit: MAX_PENDING_GRANTS_PER_OPERATOR,
      });
    }
    await deps.grants.insert(trx, row);
    const details = { grant_request: row.id, kind, requested: wireFields(requested), exceeds: excess.exceeds, reason: excess.message };
    return {
      result: grantFromRow(row),
      events: [grantEvent('agent.grant_requested', 'request_grant', actor, row.id, agentId, details)],
    };
  });
}
