import { isoTime } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import type { ApprovalDeps } from './deps.js';
import { toApproval } from './rows.js';
import { countAllPending, listRows } from './store.js';
import type { Approval, ListFilter } from './types.js';

/** The queue humans look at: oldest first, by keyset paging on (created_at, id). */

export interface ApprovalPage {
  items: Approval[];
  nextCursor: string | null;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1_000;

/** Approval ids as randomId('apr') makes them. */
const CURSOR_ID = /^apr_[A-Za-z0-9_-]{1,64}$/;

function encodeCursor(row: { created_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Only what encodeCursor writes (a stored ISO time, an approval id) reaches the query: a
    // NUL, say, is an error in PostgreSQL rather than an empty page.
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string')) {
      const [createdAt, id] = parsed as [string, string];
      const ms = Date.parse(createdAt);
      if (!Number.isNaN(ms) && isoTime(ms) === createdAt && CURSOR_ID.test(id)) return [createdAt, id];
    }
  } catch {
    /* fall through */
  }
  throw new ValidationError('cursor is not one this server gave out', { field: 'cursor' });
}

export async function list(deps: ApprovalDeps, filter: ListFilter = {}): Promise<ApprovalPage> {
  const limit = Math.min(Math.max(filter.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
  const rows = await listRows(deps.db, {
    agentId: filter.agentId,
    onBehalfOf: filter.onBehalfOf,
    status: filter.status,
    after: filter.cursor === undefined ? undefined : decodeCursor(filter.cursor),
    at: isoTime(deps.clock.now()),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const nowMs = deps.clock.now();
  return { items: page.map((r) => toApproval(r, nowMs)), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}

/** Requests of all agents still pending now (monitoring's `mandate_approvals_pending` gauge). */
export async function countPending(deps: ApprovalDeps): Promise<number> {
  return countAllPending(deps.db, isoTime(deps.clock.now()));
}
