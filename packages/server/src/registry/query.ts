import { isoTime } from '../shared/clock.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { assertAccess } from './access.js';
import type { RegistryDeps } from './deps.js';
import { isAgentId } from './ids.js';
import { agentFromRow, reviewIntervalMs } from './record.js';
import type { AgentRow } from './tables.js';
import type { AccessScope, Agent, AgentFilter, AgentPage, PageRequest } from './types.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

function encodeCursor(row: Pick<AgentRow, 'created_at' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Only what encodeCursor writes: a stored ISO time and an agent id. Anything else never
    // reaches the query (a NUL, say, is an error in PostgreSQL, not an empty page).
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const [createdAt, id] = parsed as [string, string];
      const ms = Date.parse(createdAt);
      if (!Number.isNaN(ms) && isoTime(ms) === createdAt && isAgentId(id)) return [createdAt, id];
    }
  } catch {
    /* fall through */
  }
  throw new ValidationError('cursor is not valid: pass next_cursor from a previous page unchanged', { field: 'cursor' });
}

function toAgent(deps: RegistryDeps, row: AgentRow | undefined, now = deps.clock.now()): Agent | null {
  return row ? agentFromRow(row, now, deps.settings.reviewIntervalDays) : null;
}

/** The agent, or null when no agent has that id. */
export async function findAgent(deps: RegistryDeps, id: string): Promise<Agent | null> {
  return toAgent(deps, await deps.agents.byId(id));
}

/** The agent; NotFoundError (404) when unknown, ForbiddenError (403) outside `access`. */
export async function getAgent(deps: RegistryDeps, id: string, access: AccessScope): Promise<Agent> {
  const agent = await findAgent(deps, id);
  if (!agent) throw new NotFoundError('agent', id);
  assertAccess(agent.owner, id, access);
  return agent;
}

/** The agent registered under this OAuth client id, or null. */
export async function findAgentByClientId(deps: RegistryDeps, clientId: string): Promise<Agent | null> {
  return toAgent(deps, await deps.agents.byClientId(clientId));
}

/** One page of agents in registration order; pass `nextCursor` back for the next. */
export async function listAgents(deps: RegistryDeps, filter: AgentFilter, page: PageRequest, access: AccessScope): Promise<AgentPage> {
  const now = deps.clock.now();
  const limit = Math.min(Math.max(page.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const rows = await deps.agents.page({
    filter,
    owner: access.owner,
    reviewCutoff: isoTime(now - reviewIntervalMs(deps.settings.reviewIntervalDays)),
    after: page.cursor ? decodeCursor(page.cursor) : null,
    // One row more than asked tells whether another page follows.
    limit: limit + 1,
  });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map((row) => agentFromRow(row, now, deps.settings.reviewIntervalDays)), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
