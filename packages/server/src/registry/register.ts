import type { Actor, AuditEvent } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { ConflictError, ForbiddenError } from '../shared/errors.js';
import type { Tx } from '../storage/index.js';
import { assertWithinCeiling } from './ceiling.js';
import { newClientSecret } from './credentials.js';
import type { RegistryDeps } from './deps.js';
import { checkNewAgent, registrationDetails, type AgentFields } from './fields.js';
import { agentIdPrefix, nextAgentId } from './ids.js';
import { agentEvent, agentFromRow, newAgentRow } from './record.js';
import { checkId } from './rules.js';
import type { AccessScope, NewAgent, RegisteredAgent } from './types.js';

/** Generated ids can collide with a concurrent registration; try the next number this often. */
const ID_ATTEMPTS = 5;

/**
 * Registers an agent and issues its client secret (returned once, stored as a hash). The
 * id is generated from name and environment unless given; a duplicate given id is 409.
 */
export async function registerAgent(deps: RegistryDeps, input: NewAgent, actor: Actor, access: AccessScope): Promise<RegisteredAgent> {
  const { fields, explicitId } = checkRegistration(deps, input, access);
  assertWithinCeiling(fields, access);
  return registerChecked(deps, fields, explicitId, actor);
}

/** A registration's fields and given id, checked, and an owner-scoped caller held to its own agents. */
export function checkRegistration(deps: RegistryDeps, input: NewAgent, access: AccessScope): { fields: AgentFields; explicitId: string | undefined } {
  const fields = checkNewAgent(input, deps.settings.tokenTtl);
  const explicitId = input.id === undefined ? undefined : checkId(input.id);
  if (access.owner !== undefined && fields.owner !== access.owner) {
    throw new ForbiddenError(`an owner may only register agents it owns: set owner to ${access.owner}`, { field: 'owner' });
  }
  return { fields, explicitId };
}

/** Registers checked fields (no ceiling check: the caller did it, or an admin approved). */
export async function registerChecked(deps: RegistryDeps, fields: AgentFields, explicitId: string | undefined, actor: Actor): Promise<RegisteredAgent> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await insert(deps, fields, explicitId, actor);
    } catch (error) {
      // A generated id raced with another registration: take the next number.
      if (error instanceof ConflictError && explicitId === undefined && attempt < ID_ATTEMPTS) continue;
      throw error;
    }
  }
}

function insert(deps: RegistryDeps, fields: AgentFields, explicitId: string | undefined, actor: Actor): Promise<RegisteredAgent> {
  return deps.audit.withEntry((trx) => insertIn(deps, trx, fields, explicitId, actor));
}

/** The registration inside the caller's transaction: the row and its `agent.registered` event (`extra` details added). */
export async function insertIn(
  deps: RegistryDeps,
  trx: Tx,
  fields: AgentFields,
  explicitId: string | undefined,
  actor: Actor,
  extra: Record<string, unknown> = {},
): Promise<{ result: RegisteredAgent; events: AuditEvent[] }> {
  const { secret, hash } = newClientSecret();
  const now = deps.clock.now();
  const id = explicitId ?? (await generateId(deps, trx, fields));
  const row = newAgentRow(id, fields, hash, isoTime(now), actor);
  await deps.agents.insert(trx, row);
  return {
    result: { agent: agentFromRow(row, now, deps.settings.reviewIntervalDays), clientId: id, clientSecret: secret },
    events: [agentEvent('agent.registered', 'register', actor, id, { ...registrationDetails(fields), client_id: id, ...extra })],
  };
}

async function generateId(deps: RegistryDeps, trx: Tx, fields: AgentFields): Promise<string> {
  const prefix = agentIdPrefix(fields.name, fields.environment);
  return nextAgentId(prefix, await deps.agents.idsWithPrefix(trx, prefix));
}
