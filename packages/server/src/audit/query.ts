import { isoTime } from '../shared/clock.js';
import { ValidationError } from '../shared/errors.js';
import type { Dialect, Executor } from '../storage/index.js';
import { DERIVED_COLUMNS } from './columns.js';
import { BlobCache } from './compact.js';
import { hashedFields } from './hash.js';
import { blobsByIds, fillPrevHashes, keysetPages, readHead, rowToEntry, selectEntries, type EntrySelection } from './store.js';
import type { AuditEntryRow } from './tables.js';
import type { AuditEntry, AuditEntryView } from './types.js';

export type { AuditEntryView } from './types.js';

export type AuditOrder = 'asc' | 'desc';

/** What `GET /v1/audit`, the export, the CLI and replay filter on; every field optional. */
export interface AuditFilter {
  /** Exact type, or a prefix ending in `.*` (`token.*` matches `token.issued`, `token.revoked`, …). */
  type?: string;
  /** Entries about this agent (actor or subject). */
  agent?: string;
  /** The actor's id (operator, agent or system component). */
  actor?: string;
  /** Everything done under one delegation chain root: its exchanges and the decisions its tokens got. */
  chainId?: string;
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

/** The filter checked (type pattern, times) and put in the store's terms; throws ValidationError. */
function selectionOf(filter: AuditFilter): EntrySelection {
  const selection: EntrySelection = {};
  if (filter.type !== undefined && filter.type !== '*') {
    if (filter.type.endsWith('.*')) selection.type = { prefix: filter.type.slice(0, -1) };
    else if (filter.type.includes('*')) throw new ValidationError(`type takes an exact type or a prefix ending in '.*' (got '${filter.type}')`);
    else selection.type = { exact: filter.type };
  }
  if (filter.agent !== undefined) selection.agent = filter.agent;
  if (filter.actor !== undefined) selection.actor = filter.actor;
  if (filter.chainId !== undefined) selection.chain = filter.chainId;
  if (filter.subject !== undefined) selection.subject = filter.subject;
  if (filter.outcome !== undefined) selection.outcome = filter.outcome;
  if (filter.from !== undefined) selection.from = normaliseTime('from', filter.from);
  if (filter.to !== undefined) selection.to = normaliseTime('to', filter.to);
  return selection;
}

/**
 * Whether an entry the SQL matched still matches by its hashed fields: a filter on a derived
 * column (columns.ts) uses the column's index, and a row whose column was edited to match is
 * left out rather than shown under an actor it does not have.
 */
function matchesHashed(selection: EntrySelection, entry: AuditEntry): boolean {
  if (selection.chain !== undefined && DERIVED_COLUMNS.chain_id(entry) !== selection.chain) return false;
  return selection.actor === undefined || DERIVED_COLUMNS.actor_id(entry) === selection.actor;
}

/** A reader's blobs (compact entries, compact.ts), loaded page by page. */
export const blobCache = (db: Executor): BlobCache => new BlobCache((ids) => blobsByIds(db, ids));

async function blobsFor(db: Executor, rows: AuditEntryRow[]): Promise<BlobCache> {
  const blobs = blobCache(db);
  await blobs.preload(rows);
  return blobs;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `after_seq` for the next page; null on the last page. */
  nextAfterSeq: number | null;
}

/** One page of matching entries (keyset paging on seq: stable while the log grows). */
export async function queryEntries(db: Executor, dialect: Dialect, filter: AuditFilter, limit: number): Promise<AuditPage> {
  const selection = selectionOf(filter);
  const rows = await selectEntries(db, dialect, selection, { order: filter.order ?? 'asc', after: filter.afterSeq, limit: limit + 1 });
  const page = await fillPrevHashes(db, rows.slice(0, limit));
  const blobs = await blobsFor(db, page);
  // The cursor follows the rows read, so a page that left a row out may be short but never skips one.
  const nextAfterSeq = rows.length > limit ? Number(page[page.length - 1]!.seq) : null;
  return { entries: page.map((row) => rowToEntry(row, blobs)).filter((entry) => matchesHashed(selection, entry)), nextAfterSeq };
}

/**
 * Every matching entry, page by page, up to the head as it was when the export began (so a
 * busy log cannot keep an export running forever). Memory stays at one page. The filter is
 * checked before the first row is read (a bad one throws ValidationError on the first `next()`).
 */
export async function* exportEntries(db: Executor, dialect: Dialect, filter: AuditFilter, pageSize = 1_000): AsyncGenerator<AuditEntry> {
  const selection = selectionOf(filter);
  const { seq: upTo } = await readHead(db);
  const order = filter.order ?? 'asc';
  const blobs = blobCache(db);
  const rows = keysetPages((after) => selectEntries(db, dialect, selection, { order, after, upTo, limit: pageSize }).then((page) => fillPrevHashes(db, page)).then((page) => blobs.preload(page)), pageSize, filter.afterSeq);
  for await (const row of rows) {
    const entry = rowToEntry(row, blobs);
    if (matchesHashed(selection, entry)) yield entry;
  }
}
