import { CompiledQuery, type SelectQueryBuilder } from 'kysely';
import type { Dialect, Executor, Tx } from '../storage/index.js';
import type { Checkpoint } from './checkpoint.js';
import type { BlobCache } from './compact.js';
import { GENESIS_HASH } from './hash.js';
import type { AuditBlobRow, AuditCheckpointRow, AuditEntryRow, AuditKeyRow, AuditTables } from './tables.js';
import { auditTables } from './tables.js';
import type { AuditEntry } from './types.js';

/**
 * The audit context's SQL, all of it: the head, the entries, the checkpoints and the signing
 * keys, through the context's own typed view (tables.ts), alike on both dialects. The use
 * cases say what they need in their own terms — log.ts appends and signs, query.ts filters,
 * verify.ts walks the chain, keys.ts keeps the signing key — and only this module says it in SQL.
 */

// ---- the head: one row that orders every append ----------------------------------------------

export interface Head {
  seq: number;
  hash: string;
  lastCheckpointSeq: number;
  lastCheckpointTime: string;
}

/**
 * Reads the head and locks it for the rest of the transaction: a row lock on PostgreSQL, which
 * orders appends across replicas; SQLite's single writer already serialises them.
 */
export async function lockHead(trx: Tx, dialect: Dialect): Promise<Head> {
  let query = auditTables(trx).selectFrom('audit_head').selectAll().where('id', '=', 1);
  if (dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirstOrThrow();
  return { seq: Number(row.seq), hash: row.hash, lastCheckpointSeq: Number(row.last_checkpoint_seq), lastCheckpointTime: row.last_checkpoint_time };
}

/** The head's sequence and hash, without a lock. */
export async function readHead(db: Executor): Promise<{ seq: number; hash: string }> {
  const row = await auditTables(db).selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { seq: Number(row.seq), hash: row.hash };
}

export async function advanceHead(trx: Tx, seq: number, hash: string): Promise<void> {
  await auditTables(trx).updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
}

/** Where the live table begins: the last entry moved to the archive (seq 0 and the genesis hash: none). */
export async function readArchiveBoundary(db: Executor): Promise<{ seq: number; hash: string }> {
  const row = await auditTables(db).selectFrom('audit_head').select(['archived_seq', 'archived_hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { seq: Number(row.archived_seq), hash: row.archived_hash };
}

/**
 * Deletes the entries and checkpoints up to `through` (now in a sealed segment) and moves the
 * boundary there, in the caller's transaction, with the head locked. Refuses — changing nothing —
 * unless the boundary is still at `from` (no other run pruned meanwhile) and entry `through.seq`
 * still has the hash the segment ends with.
 */
export async function pruneArchived(trx: Tx, dialect: Dialect, from: { seq: number; hash: string }, through: { seq: number; hash: string }): Promise<void> {
  await lockHead(trx, dialect);
  const boundary = await readArchiveBoundary(trx);
  if (boundary.seq !== from.seq || boundary.hash !== from.hash) {
    throw new Error(`the live log now begins after seq ${boundary.seq}, not ${from.seq}: another archive run pruned meanwhile`);
  }
  const last = await entryHashAt(trx, through.seq);
  if (last !== through.hash) throw new Error(`entry ${through.seq} ${last === undefined ? 'is missing' : `hashes to ${last.slice(0, 12)}…`}, the segment ends with ${through.hash.slice(0, 12)}…`);
  const tables = auditTables(trx);
  await tables.deleteFrom('audit_entries').where('seq', '<=', through.seq).execute();
  await tables.deleteFrom('audit_checkpoints').where('seq', '<=', through.seq).execute();
  await tables.updateTable('audit_head').set({ archived_seq: through.seq, archived_hash: through.hash }).where('id', '=', 1).execute();
}

// ---- entries -----------------------------------------------------------------------------------

/**
 * The entry a row stores. A compact row (base_id set) is rebuilt from its base, which `blobs`
 * must have loaded (BlobCache.preload); a whole row needs none.
 */
export function rowToEntry(row: Omit<AuditEntryRow, 'base_id'> & { base_id?: number | null }, blobs?: BlobCache): AuditEntry {
  const compact = row.base_id !== null && row.base_id !== undefined;
  if (compact && !blobs) throw new Error(`entry ${row.seq} is compact: read it with its blobs`);
  const { actor, details } = compact
    ? blobs!.content({ ...row, base_id: row.base_id ?? null })
    : { actor: JSON.parse(row.actor) as AuditEntry['actor'], details: JSON.parse(row.details) as Record<string, unknown> };
  return {
    seq: Number(row.seq),
    time: row.time,
    type: row.type,
    actor,
    subject: row.subject,
    agentId: row.agent_id,
    action: row.action,
    outcome: row.outcome as AuditEntry['outcome'],
    details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The hash stored for entry `seq`, if that entry exists. */
export async function entryHashAt(db: Executor, seq: number): Promise<string | undefined> {
  const row = await auditTables(db).selectFrom('audit_entries').select('hash').where('seq', '=', seq).executeTakeFirst();
  return row?.hash;
}

/** Every column of an entry row, in the order the INSERT below lists them. */
const ENTRY_COLUMNS = ['seq', 'time', 'type', 'actor', 'actor_id', 'chain_id', 'agent_id', 'subject', 'action', 'outcome', 'details', 'prev_hash', 'hash', 'base_id'] as const;
// A column added to AuditEntryRow and not listed above fails to compile here.
const everyColumn: Record<Exclude<keyof AuditEntryRow, (typeof ENTRY_COLUMNS)[number]>, never> = {};
void everyColumn;

/** The INSERT of `count` entry rows, by dialect and count (at most groupCommitMaxEntries of them). */
const insertTexts = new Map<string, string>();
const INSERT_TEXTS_KEPT = 2_000;

function insertText(dialect: Dialect, count: number): string {
  const key = `${dialect}:${count}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    const width = ENTRY_COLUMNS.length;
    const placeholder = dialect === 'postgres' ? (i: number) => `$${i + 1}` : () => '?';
    const tuples = Array.from({ length: count }, (_, row) => `(${ENTRY_COLUMNS.map((_, column) => placeholder(row * width + column)).join(', ')})`);
    text = `insert into "audit_entries" (${ENTRY_COLUMNS.map((column) => `"${column}"`).join(', ')}) values ${tuples.join(', ')}`;
    // Batch sizes are bounded by audit.groupCommitMaxEntries; a change's own appends are a few.
    if (insertTexts.size < INSERT_TEXTS_KEPT) insertTexts.set(key, text);
  }
  return text;
}

/**
 * Inserts a batch of entry rows. The one statement on the path of every audited decision and
 * token, so its text is written once per batch size instead of built by the query builder
 * each time (which cost more than the insert itself); the values are bound parameters.
 */
export async function insertEntries(trx: Tx, dialect: Dialect, rows: readonly AuditEntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const parameters: unknown[] = [];
  for (const row of rows) for (const column of ENTRY_COLUMNS) parameters.push(row[column]);
  await trx.executeQuery(CompiledQuery.raw(insertText(dialect, rows.length), parameters));
}

// ---- blobs (compact.ts) ------------------------------------------------------------------------

/**
 * The id of the blob with this hash, stored now if it is not yet. Called with the head locked
 * (appendIn), which serialises blob writes across replicas too, so max(id) + 1 cannot race.
 */
export async function blobIdFor(trx: Tx, hash: string, body: string): Promise<number> {
  const found = await auditTables(trx).selectFrom('audit_blobs').select('id').where('hash', '=', hash).executeTakeFirst();
  if (found) return Number(found.id);
  const max = await auditTables(trx).selectFrom('audit_blobs').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  const id = max?.id === null || max?.id === undefined ? 1 : Number(max.id) + 1;
  await auditTables(trx).insertInto('audit_blobs').values({ id, hash, body }).execute();
  return id;
}

/**
 * Puts back the `prev_hash` a compact row leaves empty (it is the previous entry's `hash`, which
 * the chain already stores once): from the page itself when the previous entry is in it, else
 * in one query for the rest. An entry whose predecessor is gone keeps '' (verification reports it).
 */
export async function fillPrevHashes<R extends Pick<AuditEntryRow, 'seq' | 'prev_hash' | 'hash'>>(db: Executor, rows: R[]): Promise<R[]> {
  const empty = rows.filter((row) => row.prev_hash === '');
  if (empty.length === 0) return rows;
  const known = new Map<number, string>(rows.map((row) => [Number(row.seq), row.hash]));
  known.set(0, GENESIS_HASH);
  const missing = [...new Set(empty.map((row) => Number(row.seq) - 1).filter((seq) => !known.has(seq)))];
  if (missing.length > 0) {
    for (const row of await auditTables(db).selectFrom('audit_entries').select(['seq', 'hash']).where('seq', 'in', missing).execute()) known.set(Number(row.seq), row.hash);
    // The first live entry after an archive run follows an entry that now lives in a segment.
    if (missing.some((seq) => !known.has(seq))) {
      const archived = await readArchiveBoundary(db);
      known.set(archived.seq, archived.hash);
    }
  }
  for (const row of empty) row.prev_hash = known.get(Number(row.seq) - 1) ?? '';
  return rows;
}

/** The blobs with these ids (those that exist). */
export function blobsByIds(db: Executor, ids: readonly number[]): Promise<AuditBlobRow[]> {
  return auditTables(db).selectFrom('audit_blobs').selectAll().where('id', 'in', ids).execute();
}

/** The time of the first entry, if there is one. */
export async function firstEntryTime(db: Executor): Promise<string | undefined> {
  const first = await auditTables(db).selectFrom('audit_entries').select('time').orderBy('seq').limit(1).executeTakeFirst();
  return first?.time;
}

/** The highest seq stored, whatever the head says (null for an empty log). */
export async function maxEntrySeq(db: Executor): Promise<number | null> {
  const max = await auditTables(db).selectFrom('audit_entries').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return max?.seq === null || max?.seq === undefined ? null : Number(max.seq);
}

/** Which entries, already validated (query.ts turns the API's filter into this). */
export interface EntrySelection {
  /** An exact type, or every type starting with `prefix` (which ends in a dot). */
  type?: { exact: string } | { prefix: string };
  agent?: string;
  actor?: string;
  /** Entries of one delegation chain (the derived chain_id column). */
  chain?: string;
  subject?: string;
  outcome?: string;
  /** Inclusive lower and exclusive upper bound, as stored (ISO-8601 UTC with milliseconds). */
  from?: string;
  to?: string;
}

/** One keyset page: entries after `after` in `order`, none past `upTo`. */
export interface EntryPage {
  order: 'asc' | 'desc';
  limit: number;
  after?: number | undefined;
  upTo?: number | undefined;
}

type EntryQuery = SelectQueryBuilder<AuditTables, 'audit_entries', AuditEntryRow>;

/**
 * A type prefix becomes a range on SQLite (binary collation, uses the (type, seq) index) and
 * LIKE on PostgreSQL, whose locale collations may order punctuation in ways a range would get wrong.
 */
function whereSelected(query: EntryQuery, selection: EntrySelection, dialect: Dialect): EntryQuery {
  let q = query;
  const type = selection.type;
  if (type && 'exact' in type) {
    q = q.where('type', '=', type.exact);
  } else if (type) {
    const { prefix } = type;
    if (dialect === 'sqlite') {
      const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      q = q.where('type', '>=', prefix).where('type', '<', upper);
    } else {
      q = q.where('type', 'like', `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
  }
  if (selection.agent !== undefined) q = q.where('agent_id', '=', selection.agent);
  if (selection.actor !== undefined) q = q.where('actor_id', '=', selection.actor);
  if (selection.chain !== undefined) q = q.where('chain_id', '=', selection.chain);
  if (selection.subject !== undefined) q = q.where('subject', '=', selection.subject);
  if (selection.outcome !== undefined) q = q.where('outcome', '=', selection.outcome);
  if (selection.from !== undefined) q = q.where('time', '>=', selection.from);
  if (selection.to !== undefined) q = q.where('time', '<', selection.to);
  return q;
}

/** One page of the selected entries in seq order (keyset paging: stable while the log grows). */
export function selectEntries(db: Executor, dialect: Dialect, selection: EntrySelection, page: EntryPage): Promise<AuditEntryRow[]> {
  let q = whereSelected(auditTables(db).selectFrom('audit_entries').selectAll(), selection, dialect);
  if (page.after !== undefined) q = q.where('seq', page.order === 'asc' ? '>' : '<', page.after);
  if (page.upTo !== undefined) q = q.where('seq', '<=', page.upTo);
  return q.orderBy('seq', page.order).limit(page.limit).execute();
}

/** Entries after `after` up to `upTo` in chain order, unfiltered: how verification reads the log. */
export function chainPage(db: Executor, after: number | undefined, upTo: number, limit: number): Promise<AuditEntryRow[]> {
  let q = auditTables(db).selectFrom('audit_entries').selectAll().where('seq', '<=', upTo);
  if (after !== undefined) q = q.where('seq', '>', after);
  return q.orderBy('seq').limit(limit).execute();
}

/** Entries after `after` up to `upTo` written before `before` (ISO time), in seq order: what retention may move. */
export function archivablePage(db: Executor, after: number, upTo: number, before: string, limit: number): Promise<AuditEntryRow[]> {
  return auditTables(db).selectFrom('audit_entries').selectAll().where('seq', '>', after).where('seq', '<=', upTo).where('time', '<', before).orderBy('seq').limit(limit).execute();
}

/** Walks rows by keyset pages (`fetch(after)` returns the page after a seq), never holding more than one page. */
export async function* keysetPages<T extends { seq: number }>(fetch: (after: number | undefined) => Promise<T[]>, pageSize: number, after?: number): AsyncGenerator<T> {
  let cursor = after;
  for (;;) {
    const page = await fetch(cursor);
    for (const row of page) yield row;
    if (page.length < pageSize) return;
    cursor = Number(page[page.length - 1]!.seq);
  }
}

// ---- checkpoints -------------------------------------------------------------------------------

/** Stores a signed checkpoint and moves the head to it (the checkpoint signs the head). */
export async function recordCheckpoint(trx: Tx, checkpoint: Checkpoint): Promise<void> {
  await auditTables(trx)
    .insertInto('audit_checkpoints')
    .values({ seq: checkpoint.seq, hash: checkpoint.hash, time: checkpoint.time, key_id: checkpoint.keyId, signature: checkpoint.signature })
    .execute();
  await auditTables(trx)
    .updateTable('audit_head')
    .set({ seq: checkpoint.seq, hash: checkpoint.hash, last_checkpoint_seq: checkpoint.seq, last_checkpoint_time: checkpoint.time })
    .where('id', '=', 1)
    .execute();
}

/** Checkpoints in (afterSeq, upTo], oldest first (those an archive segment takes with its entries). */
export function checkpointsBetween(db: Executor, afterSeq: number, upTo: number): Promise<AuditCheckpointRow[]> {
  return auditTables(db).selectFrom('audit_checkpoints').selectAll().where('seq', '>', afterSeq).where('seq', '<=', upTo).orderBy('seq').execute();
}

/** Checkpoints after `afterSeq`, oldest first. */
export function checkpointsAfter(db: Executor, afterSeq: number, limit: number): Promise<AuditCheckpointRow[]> {
  return auditTables(db).selectFrom('audit_checkpoints').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
}

/** The newest checkpoint, or undefined before the first. */
export function latestCheckpointRow(db: Executor): Promise<AuditCheckpointRow | undefined> {
  return auditTables(db).selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

export function checkpointOf(row: AuditCheckpointRow): Checkpoint {
  return { seq: Number(row.seq), hash: row.hash, time: row.time, keyId: row.key_id, signature: row.signature };
}

// ---- signing keys ------------------------------------------------------------------------------

/** Every key ever stored (retired ones stay: old checkpoints are signed with them), oldest first. */
export function allKeys(db: Executor): Promise<AuditKeyRow[]> {
  return auditTables(db).selectFrom('audit_keys').selectAll().orderBy('created_at').orderBy('id').execute();
}

/** The oldest key not retired: the one every replica signs with. */
export function oldestActiveKey(db: Executor): Promise<AuditKeyRow | undefined> {
  return auditTables(db).selectFrom('audit_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
}

/** Stores a key; a row already there under the same id is kept. */
export async function insertKeyIfAbsent(db: Executor, row: AuditKeyRow): Promise<void> {
  await auditTables(db).insertInto('audit_keys').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
}
