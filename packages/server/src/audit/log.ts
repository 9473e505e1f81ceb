import type { Clock } from '../shared/clock.js';
import { isoTime } from '../shared/clock.js';
import type { Executor, Store, Tx } from '../storage/database.js';
import { entryHash } from './hash.js';
import { redactSensitive } from './redact.js';
import type { AuditEntry, AuditEvent } from './types.js';
import type { AuditEntryRow } from './tables.js';

export interface AuditLogOptions {
  store: Store;
  clock: Clock;
  /** Key for HMAC'ing sensitive values (derived from the master key). */
  hmacKey: Buffer;
  /** Called after each committed append batch, e.g. to write checkpoints or feed monitoring. */
  onAppended?: (entries: AuditEntry[]) => void;
}

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

/**
 * The append-only, hash-chained audit log. `append` writes inside the caller's transaction,
 * so a change and its entry commit together or not at all; the head row is locked for the
 * rest of that transaction, which orders appends across replicas on PostgreSQL.
 */
export class AuditLog {
  constructor(private readonly options: AuditLogOptions) {}

  /** Appends events within an open transaction and returns the entries as stored. */
  async appendIn(trx: Tx, events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    if (events.length === 0) return [];
    const { store, clock, hmacKey } = this.options;
    let headQuery = trx.selectFrom('audit_head').selectAll().where('id', '=', 1);
    if (store.dialect === 'postgres') headQuery = headQuery.forUpdate();
    const head = await headQuery.executeTakeFirstOrThrow();
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const time = isoTime(clock.now());
    const entries: AuditEntry[] = [];
    for (const event of events) {
      seq += 1;
      const details = redactSensitive(event.details ?? {}, event.sensitive ?? [], hmacKey);
      const unhashed: Omit<AuditEntry, 'hash'> = {
        seq,
        time,
        type: event.type,
        actor: event.actor,
        subject: event.subject ?? null,
        agentId: event.agentId ?? null,
        action: event.action,
        outcome: event.outcome,
        details,
        prevHash,
      };
      const entry = { ...unhashed, hash: entryHash(unhashed) };
      entries.push(entry);
      prevHash = entry.hash;
    }
    await trx
      .insertInto('audit_entries')
      .values(
        entries.map((e) => ({
          seq: e.seq,
          time: e.time,
          type: e.type,
          actor: JSON.stringify(e.actor),
          actor_id: e.actor.id,
          agent_id: e.agentId,
          subject: e.subject,
          action: e.action,
          outcome: e.outcome,
          details: JSON.stringify(e.details),
          prev_hash: e.prevHash,
          hash: e.hash,
        })),
      )
      .execute();
    await trx.updateTable('audit_head').set({ seq, hash: prevHash }).where('id', '=', 1).execute();
    return entries;
  }

  /** Appends in a transaction of its own (for events with no accompanying change). */
  async append(...events: AuditEvent[]): Promise<AuditEntry[]> {
    const entries = await this.options.store.transaction((trx) => this.appendIn(trx, events));
    this.options.onAppended?.(entries);
    return entries;
  }

  /**
   * Runs `work` and records the events it returns in the same transaction: the pattern for
   * every state change (no change without its entry, no entry for a change that rolled back).
   */
  async withEntry<T>(work: (trx: Tx) => Promise<{ result: T; events: AuditEvent[] }>): Promise<T> {
    let appended: AuditEntry[] = [];
    const result = await this.options.store.transaction(async (trx) => {
      const { result, events } = await work(trx);
      appended = await this.appendIn(trx, events);
      return result;
    });
    this.options.onAppended?.(appended);
    return result;
  }

  async head(db: Executor = this.options.store.db): Promise<{ seq: number; hash: string }> {
    const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { seq: Number(head.seq), hash: head.hash };
  }
}
