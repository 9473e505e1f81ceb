import type { SelectQueryBuilder } from 'kysely';
import type { Dialect, Executor, Tx } from '../storage/index.js';
import type { Checkpoint } from './checkpoint.js';
import type { AuditCheckpointRow, AuditEntryRow, AuditKeyRow, AuditTables } from './tables.js';
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

// ---- entries -----------------------------------------------------------------------------------

export function rowToEntry(row: AuditEntryRow): AuditEntry {
  return {
    seq: Number(row.seq),
    time: row.time,
    type: row.type,
    actor: JSON.parse(row.actor) as AuditEntry['actor'],
    subject: row.subject,
    agentId: row.agent_id,
    action: row.action,
    outcome: row.outcome as AuditEntry['outcome'],
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The hash stored for entry `seq`, if that entry exists. */
export async function entryHashAt(db: Executor, seq: number): Promise<string | undefined> {
  const row = await auditTables(db).selectFrom('audit_entries').select('hash').where('seq', '=', seq).executeTakeFirst();
  return row?.hash;
}

export async function insertEntries(trx: Tx, rows: readonly AuditEntryRow[]): Promise<void> {
  await auditTables(trx).insertInto('audit_entries').values(rows).execute();
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
