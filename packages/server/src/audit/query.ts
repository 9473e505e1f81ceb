import type { SelectQueryBuilder } from 'kysely';
import { isoTime } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import type { Dialect, Executor } from '../storage/database.js';
import type { AuditTables as Tables } from './tables.js';
import { rowToEntry } from './log.js';
import type { AuditEntryRow } from './tables.js';
import { hashedFields } from './hash.js';
import type { AuditEntry, AuditEntryView } from './types.js';
import { auditTables } from './tables.js';

export type { AuditEntryView } from './types.js';

export type AuditOrder = 'asc' | 'desc';

/** What `GET /v1/audit`, the export and the CLI filter on; every field optional. */
export interface AuditFilter {
  /** Exact type, or a prefix ending in `.*` (`token.*` matches `token.issued`, `token.revoked`, …). */
  type?: string;
  /** Entries about this agent (actor or subject). */
  agent?: string;
  /** The actor's id (operator, agent or system component). */
  actor?: string;
  subject?: string;
  outcome?: string;
  /** Inclusive lower and exclusive upper bound on the entry time (ISO-8601). */
  from?: string;
  to?: string;
  /** Cursor: entries after this seq in the chosen order (below it when newest-first). */
  afterSeq?: number;
  order?: AuditOrder;
}

/** An entry as the API and the export show it: the fields the hash is defined over, then the hash. */
export function entryView(entry: AuditEntry): AuditEntryView {
  return { ...hashedFields(entry), hash: entry.hash };
}

function normaliseTime(name: string, value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationError(`${name} must be an ISO-8601 time, e.g. 2026-01-31T12:00:00Z (got '${value}')`);
  return isoTime(ms);
}

type EntryQuery = SelectQueryBuilder<Tables, 'audit_entries', AuditEntryRow>;

/**
 * Applies the filter. A type prefix becomes a range on SQLite (binary collation, uses the
 * (type, seq) index) and LIKE on PostgreSQL, whose locale collations may order punctuation
 * in ways a range would get wrong.
 */
function applyFilter(query: EntryQuery, filter: AuditFilter, dialect: Dialect): EntryQuery {
  let q = query;
  if (filter.type !== undefined && filter.type !== '*') {
    if (filter.type.endsWith('.*')) {
      const prefix = filter.type.slice(0, -1);
      if (dialect === 'sqlite') {
        const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
        q = q.where('type', '>=', prefix).where('type', '<', upper);
      } else {
        q = q.where('type', 'like', `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      }
    } else if (filter.type.includes('*')) {
      throw new ValidationError(`type takes an exact type or a prefix ending in '.*' (got '${filter.type}')`);
    } else {
      q = q.where('type', '=', filter.type);
    }
  }
  if (filter.agent !== undefined) q = q.where('agent_id', '=', filter.agent);
  if (filter.actor !== undefined) q = q.where('actor_id', '=', filter.actor);
  if (filter.subject !== undefined) q = q.where('subject', '=', filter.subject);
  if (filter.outcome !== undefined) q = q.where('outcome', '=', filter.outcome);
  if (filter.from !== undefined) q = q.where('time', '>=', normaliseTime('from', filter.from));
  if (filter.to !== undefined) q = q.where('time', '<', normaliseTime('to', filter.to));
  return q;
}

function pageQuery(db: Executor, dialect: Dialect, filter: AuditFilter, after: number | undefined, limit: number, upTo?: number): EntryQuery {
  const order = filter.order ?? 'asc';
  let q = applyFilter(auditTables(db).selectFrom('audit_entries').selectAll(), filter, dialect);
  if (after !== undefined) q = q.where('seq', order === 'asc' ? '>' : '<', after);
  if (upTo !== undefined) q = q.where('seq', '<=', upTo);
  return q.orderBy('seq', order).limit(limit);
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `after_seq` for the next page; null on the last page. */
  nextAfterSeq: number | null;
}

/** One page of matching entries (keyset paging on seq: stable while the log grows). */
export async function queryEntries(db: Executor, dialect: Dialect, filter: AuditFilter, limit: number): Promise<AuditPage> {
  const rows = await pageQuery(db, dialect, filter, filter.afterSeq, limit + 1).execute();
  const more = rows.length > limit;
  const entries = rows.slice(0, limit).map(rowToEntry);
  return { entries, nextAfterSeq: more ? entries[entries.length - 1]!.seq : null };
}

/**
 * Every matching entry, page by page, up to the head as it was when the export began (so a
 * busy log cannot keep an export running forever). Memory stays at one page.
 */
export async function* exportEntries(db: Executor, dialect: Dialect, filter: AuditFilter, pageSize = 1_000): AsyncGenerator<AuditEntry> {
  const head = await auditTables(db).selectFrom('audit_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
  const upTo = Number(head.seq);
  let after = filter.afterSeq;
  for (;;) {
    const rows = await pageQuery(db, dialect, filter, after, pageSize, upTo).execute();
    for (const row of rows) yield rowToEntry(row);
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}
