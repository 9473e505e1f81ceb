import type { Scheduler } from '../scheduler/index.js';
import type { Clock } from '../shared/clock.js';
import { isoTime } from '../shared/clock.js';
import type { Executor, Store, Tx } from '../storage/index.js';
import { checkpointDue, type Checkpoint, type CheckpointPolicy } from './checkpoint.js';
import { derivedColumns } from './columns.js';
import { CompactBases, type Base } from './compact.js';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
import { hashEntry } from './hash.js';
import { redactSensitive } from './redact.js';
import { advanceHead, blobIdFor, firstEntryTime, insertEntries, lockHead, readHead, recordCheckpoint, type Head } from './store.js';
import type { AuditEntryRow } from './tables.js';
import type { AuditEntry, AuditEvent } from './types.js';

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
  /**
   * Runs the group-commit flush as the deadline `audit.group-commit`. Without one (tests that
   * only append) an enqueued event does not wait for company: its batch is written at once.
   */
  scheduler?: Pick<Scheduler, 'deadline'>;
  /** Compact keys whose base the writer keeps (config `audit.compactBaseCacheEntries`; compact.ts). */
  compactBaseCacheEntries?: number;
}

/** The scheduler name of the group-commit flush deadline. */
export const GROUP_COMMIT_JOB = 'audit.group-commit';

const DEFAULT_CHECKPOINTS: CheckpointPolicy = { everyEntries: 1_000, intervalSeconds: 300 };
const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxDelayMs: 2, maxEntries: 500 };
const DEFAULT_COMPACT_BASES = 10_000;

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
  private readonly bases: CompactBases;
  /** Committed blobs by hash → id (rememberBlobs). */
  private readonly storedBlobs = new Map<string, number>();
  private readonly maxBases: number;

  constructor(private readonly options: AuditLogOptions) {
    this.policy = options.checkpoints ?? DEFAULT_CHECKPOINTS;
    this.maxBases = options.compactBaseCacheEntries ?? DEFAULT_COMPACT_BASES;
    this.bases = new CompactBases(this.maxBases);
    const scheduler = options.scheduler;
    this.committer = new GroupCommitter(
      (events) => this.commitBatch(events),
      options.groupCommit ?? DEFAULT_GROUP_COMMIT,
      scheduler && ((flush) => scheduler.deadline({ name: GROUP_COMMIT_JOB, run: flush })),
    );
  }

  /** Appends events within an open transaction and returns the entries as stored. */
  appendIn(trx: Tx, events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    return this.appendRows(trx, events, new Map());
  }

  /**
   * appendIn, noting in `blobsUsed` (hash → id) the blobs its compact rows refer to: once the
   * transaction has committed, the caller may remember them (`rememberBlobs`).
   */
  private async appendRows(trx: Tx, events: readonly AuditEvent[], blobsUsed: Map<string, number>): Promise<AuditEntry[]> {
    if (events.length === 0) return [];
    const { clock, hmacKey } = this.options;
    const head = await lockHead(trx, this.options.store.dialect);
    let seq = head.seq;
    let prevHash = head.hash;
    const nowMs = clock.now();
    const time = isoTime(nowMs);
    const entries: AuditEntry[] = [];
    const rows: AuditEntryRow[] = [];
    // The blobs this batch's compact rows refer to, stored (if new) once the rows are built.
    const based: Array<{ row: AuditEntryRow; base: Base }> = [];
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
      const compacted = event.compactKey === undefined ? undefined : this.bases.compact(event.compactKey, unhashed.actor, details, actorJson, detailsJson);
      const row: AuditEntryRow = {
        seq,
        time,
        type: unhashed.type,
        actor: compacted ? '' : actorJson,
        ...derivedColumns(unhashed),
        agent_id: unhashed.agentId,
        subject: unhashed.subject,
        action: unhashed.action,
        outcome: unhashed.outcome,
        details: compacted ? compacted.deltaJson : detailsJson,
        // A compact row leaves out what the previous row already stores: its hash (store.ts fillPrevHashes).
        prev_hash: compacted ? '' : prevHash,
        hash,
        base_id: null,
      };
      if (compacted) based.push({ row, base: compacted.base });
      rows.push(row);
      prevHash = hash;
    }
    for (const { row, base } of based) {
      let id = blobsUsed.get(base.hash) ?? this.storedBlobs.get(base.hash);
      if (id === undefined) id = await blobIdFor(trx, base.hash, base.body);
      blobsUsed.set(base.hash, id);
      row.base_id = id;
    }
    await insertEntries(trx, this.options.store.dialect, rows);
    const checkpoint = this.checkpointIfDue({ seq, lastCheckpointSeq: head.lastCheckpointSeq, sinceMs: await this.intervalStartMs(trx, head, nowMs) }, prevHash, nowMs);
    if (checkpoint) await recordCheckpoint(trx, checkpoint);
    else await advanceHead(trx, seq, prevHash);
    return entries;
  }

  /**
   * Where the checkpoint interval runs from: the last checkpoint, or until the first one the
   * first entry (not 1970), read from `head` as locked before this transaction's appends.
   */
  private async intervalStartMs(trx: Tx, head: Head, nowMs: number): Promise<number> {
    if (head.lastCheckpointSeq !== 0) return Date.parse(head.lastCheckpointTime);
    if (head.seq === 0) return nowMs;
    const first = await firstEntryTime(trx);
    return first === undefined ? nowMs : Date.parse(first);
  }

  private checkpointIfDue(state: { seq: number; lastCheckpointSeq: number; sinceMs: number }, hash: string, nowMs: number): Checkpoint | null {
    const signer = this.options.signer;
    if (!signer || !checkpointDue(state, nowMs, this.policy)) return null;
    return signer.sign({ seq: state.seq, hash, time: isoTime(nowMs) });
  }

  /**
   * Signs the head when the interval has passed with entries still unsigned (the scheduler's
   * `audit.checkpoint` job, for quiet periods; busy logs get their checkpoints from appends).
   * Returns the checkpoint.
   */
  async checkpointIfDueNow(): Promise<Checkpoint | null> {
    if (!this.options.signer) return null;
    return this.options.store.transaction(async (trx) => {
      const head = await lockHead(trx, this.options.store.dialect);
      const nowMs = this.options.clock.now();
      const checkpoint = this.checkpointIfDue({ seq: head.seq, lastCheckpointSeq: head.lastCheckpointSeq, sinceMs: await this.intervalStartMs(trx, head, nowMs) }, head.hash, nowMs);
      if (checkpoint) await recordCheckpoint(trx, checkpoint);
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
    const blobsUsed = new Map<string, number>();
    const entries = await this.options.store.transaction((trx) => this.appendRows(trx, events, blobsUsed));
    this.rememberBlobs(blobsUsed);
    this.options.onAppended?.(entries);
    return entries;
  }

  /**
   * Remembers committed blobs' ids, so the next batch against the same base needs no lookup.
   * Only after the commit (a rolled-back blob has no id), and safe across replicas: blobs are
   * never deleted or renumbered. Bounded like the writer's bases (oldest forgotten first).
   */
  private rememberBlobs(committed: Map<string, number>): void {
    for (const [hash, id] of committed) {
      this.storedBlobs.delete(hash);
      this.storedBlobs.set(hash, id);
    }
    while (this.storedBlobs.size > Math.max(this.maxBases, 1)) this.storedBlobs.delete(this.storedBlobs.keys().next().value!);
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

  head(db: Executor = this.options.store.db): Promise<{ seq: number; hash: string }> {
    return readHead(db);
  }
}
