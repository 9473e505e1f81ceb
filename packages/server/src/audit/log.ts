import type { Clock } from '../shared/clock.js';
import { isoTime } from '../shared/clock.js';
import type { Executor, Store, Tx } from '../storage/database.js';
import { checkpointDue, type Checkpoint, type CheckpointPolicy } from './checkpoint.js';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
import { hashEntry } from './hash.js';
import { redactSensitive } from './redact.js';
import type { AuditEntry, AuditEvent } from './types.js';
import type { AuditEntryRow, AuditHeadRow } from './tables.js';
import { auditTables } from './tables.js';

/** Signs checkpoints (the audit keyring); without one, no checkpoints are written. */
export interface CheckpointSigner {
  sign(point: { seq: number; hash: string; time: string }): Checkpoint;
}

export interface AuditLogOptions {
  store: Store;
  clock: Clock;
  /** Key for HMAC'ing sensitive values (derived from the master key). */
  hmacKey: Buffer;
  /** Called after each committed append batch, e.g. to feed monitoring. */
  onAppended?: (entries: AuditEntry[]) => void;
  signer?: CheckpointSigner;
  /** When checkpoints are due (config `audit.checkpointEveryEntries` / `checkpointIntervalSeconds`). */
  checkpoints?: CheckpointPolicy;
  /** Batching of `enqueue` (config `audit.groupCommitMaxDelayMs` / `groupCommitMaxEntries`). */
  groupCommit?: GroupCommitOptions;
}

const DEFAULT_CHECKPOINTS: CheckpointPolicy = { everyEntries: 1_000, intervalSeconds: 300 };
const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxDelayMs: 2, maxEntries: 500 };

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
 * The append-only, hash-chained audit log. Three ways to write:
 *
 * | call | transaction | use for |
 * |---|---|---|
 * | `withEntry(work)` / `appendIn(trx, …)` | the change's own | every state change: change and entry commit together |
 * | `append(…events)` | one of its own, now | rare events with no change that must be durable before answering |
 * | `enqueue(event)` | shared with other events (group commit) | high-volume events with no change (tokens, decisions) |
 *
 * Every write locks the head row for the rest of its transaction, which orders appends across
 * replicas on PostgreSQL, and signs a checkpoint in that same transaction when one is due.
 */
export class AuditLog {
  private readonly committer: GroupCommitter<AuditEvent, AuditEntry>;
  private readonly policy: CheckpointPolicy;

  constructor(private readonly options: AuditLogOptions) {
    this.policy = options.checkpoints ?? DEFAULT_CHECKPOINTS;
    this.committer = new GroupCommitter((events) => this.commitBatch(events), options.groupCommit ?? DEFAULT_GROUP_COMMIT);
  }

  private async lockHead(trx: Tx): Promise<AuditHeadRow> {
    let headQuery = auditTables(trx).selectFrom('audit_head').selectAll().where('id', '=', 1);
    if (this.options.store.dialect === 'postgres') headQuery = headQuery.forUpdate();
    return headQuery.executeTakeFirstOrThrow();
  }

  /** Appends events within an open transaction and returns the entries as stored. */
  async appendIn(trx: Tx, events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    if (events.length === 0) return [];
    const { clock, hmacKey } = this.options;
    const head = await this.lockHead(trx);
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const nowMs = clock.now();
    const time = isoTime(nowMs);
    const entries: AuditEntry[] = [];
    const rows: AuditEntryRow[] = [];
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
      // The canonical texts hashed are also the stored JSON: one serialisation per entry.
      const { hash, actorJson, detailsJson } = hashEntry(unhashed);
      entries.push({ ...unhashed, hash });
      rows.push({
        seq,
        time,
        type: unhashed.type,
        actor: actorJson,
        actor_id: unhashed.actor.id,
        agent_id: unhashed.agentId,
        subject: unhashed.subject,
        action: unhashed.action,
        outcome: unhashed.outcome,
        details: detailsJson,
        prev_hash: prevHash,
        hash,
      });
      prevHash = hash;
    }
    await auditTables(trx).insertInto('audit_entries').values(rows).execute();
    const since = Number(head.last_checkpoint_seq) === 0 ? await this.firstEntryMs(trx, Number(head.seq), nowMs) : Date.parse(head.last_checkpoint_time);
    const checkpoint = this.checkpointIfDue({ seq, lastCheckpointSeq: Number(head.last_checkpoint_seq), sinceMs: since }, prevHash, nowMs);
    if (checkpoint) await this.writeCheckpoint(trx, checkpoint);
    else await auditTables(trx).updateTable('audit_head').set({ seq, hash: prevHash }).where('id', '=', 1).execute();
    return entries;
  }

  /** Until the first checkpoint, the interval runs from the first entry (not from 1970). */
  private async firstEntryMs(trx: Tx, headSeq: number, nowMs: number): Promise<number> {
    if (headSeq === 0) return nowMs;
    const first = await auditTables(trx).selectFrom('audit_entries').select('time').orderBy('seq').limit(1).executeTakeFirst();
    return first ? Date.parse(first.time) : nowMs;
  }

  private checkpointIfDue(state: { seq: number; lastCheckpointSeq: number; sinceMs: number }, hash: string, nowMs: number): Checkpoint | null {
    const signer = this.options.signer;
    if (!signer || !checkpointDue(state, nowMs, this.policy)) return null;
    return signer.sign({ seq: state.seq, hash, time: isoTime(nowMs) });
  }

  private async writeCheckpoint(trx: Tx, checkpoint: Checkpoint): Promise<void> {
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

  /**
   * Signs the head when the interval has passed with entries still unsigned (the timer rule
   * for quiet periods; busy logs get their checkpoints from appends). Returns the checkpoint.
   */
  async checkpointIfDueNow(): Promise<Checkpoint | null> {
    if (!this.options.signer) return null;
    return this.options.store.transaction(async (trx) => {
      const head = await this.lockHead(trx);
      const seq = Number(head.seq);
      const nowMs = this.options.clock.now();
      const since = Number(head.last_checkpoint_seq) === 0 ? await this.firstEntryMs(trx, seq, nowMs) : Date.parse(head.last_checkpoint_time);
      const checkpoint = this.checkpointIfDue({ seq, lastCheckpointSeq: Number(head.last_checkpoint_seq), sinceMs: since }, head.hash, nowMs);
      if (checkpoint) await this.writeCheckpoint(trx, checkpoint);
      return checkpoint;
    });
  }

  /** How often the scheduler asks `checkpointIfDueNow` (the interval, between 1 s and 1 min). */
  checkpointPeriodMs(): number {
    return Math.max(1_000, Math.min(this.policy.intervalSeconds * 1000, 60_000));
  }

  /** Appends in a transaction of its own (for events with no accompanying change). */
  async append(...events: AuditEvent[]): Promise<AuditEntry[]> {
    return this.commitBatch(events);
  }

  /**
   * Queues an event for the next group commit and resolves with its entry once that batch has
   * committed. For high-volume events with no accompanying state change (see the class table).
   */
  enqueue(event: AuditEvent): Promise<AuditEntry> {
    return this.committer.enqueue(event);
  }

  /** Writes every queued event now (tests, shutdown). */
  flush(): Promise<void> {
    return this.committer.flush();
  }

  /** Drains the queue and refuses further `enqueue`s; call before the store closes. */
  close(): Promise<void> {
    return this.committer.close();
  }

  private async commitBatch(events: AuditEvent[]): Promise<AuditEntry[]> {
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
    const head = await auditTables(db).selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { seq: Number(head.seq), hash: head.hash };
  }
}
