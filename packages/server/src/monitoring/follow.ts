import type { AuditEntry, AuditFilter } from '../audit/index.js';

/**
 * With several replicas (PostgreSQL), one monitor watches everything: the leader's. Each
 * replica's audit log only hears of the entries it commits itself, so a monitor fed that way
 * would see a third of an agent's traffic behind three replicas and its counts (`minCount`,
 * `burstPerMinute`) would need three times the events. Instead the singleton job
 * `monitoring.follow` reads every entry committed after its cursor, from all replicas, in
 * chain order, and judges them (docs/replicas.md).
 *
 * Chain order is commit order (each append holds the head row's lock until it commits), so a
 * reader that has seen seq N never finds a later commit below N: nothing is skipped.
 *
 * The leader judges the entries it commits itself at once, as one process does (`own` records
 * them so the follower skips them); the follower brings in the other replicas' entries.
 *
 * The cursor starts at the head when this replica starts following (baselines are in memory:
 * a new leader warms up as a restarted process does); a replica that stopped following for
 * longer than `staleAfterMs` (it lost leadership and another leader judged those entries)
 * starts again from the head instead of judging them twice.
 */
export interface AuditFollowerOptions {
  /** The audit reader's `entries` (every entry after a seq, one page in memory at a time). */
  entries(filter: AuditFilter): AsyncGenerator<AuditEntry>;
  /** The head seq now. */
  head(): Promise<number>;
  /** Where the entries go (MonitoringService.judge). */
  judge(entries: readonly AuditEntry[]): void;
  /** Monotonic ms (I/O timing, not domain time). */
  monotonic?: () => number;
  staleAfterMs: number;
  /** Entries handed to `judge` at once. */
  batch?: number;
}

/** Own entries remembered for skipping, at most; beyond, the follower restarts from the head. */
const MAX_OWN = 100_000;

export class AuditFollower {
  private cursor: number | null = null;
  /** Seqs this replica judged itself (committed here while leading) and not yet passed by the cursor. */
  private readonly judged = new Set<number>();
  private lastRun = Number.NEGATIVE_INFINITY;
  private readonly monotonic: () => number;

  constructor(private readonly options: AuditFollowerOptions) {
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  /** Entries this replica committed and judged itself: the next runs skip them. */
  own(entries: readonly AuditEntry[]): void {
    // Not following yet (or never: a test on a frozen clock): the first run starts at the head anyway.
    if (this.cursor === null) return;
    for (const entry of entries) if (entry.seq > this.cursor) this.judged.add(entry.seq);
    if (this.judged.size > MAX_OWN) this.restart();
  }

  private restart(): void {
    this.cursor = null;
    this.judged.clear();
  }

  /** One run: judges every other replica's entry committed since the last run; returns how many. */
  async follow(): Promise<number> {
    const now = this.monotonic();
    const stale = now - this.lastRun > this.options.staleAfterMs;
    this.lastRun = now;
    if (this.cursor === null || stale) {
      this.restart();
      this.cursor = await this.options.head();
      return 0;
    }
    const size = this.options.batch ?? 500;
    let pending: AuditEntry[] = [];
    let seen = 0;
    let last = this.cursor;
    const flush = () => {
      if (pending.length === 0) return;
      this.options.judge(pending);
      seen += pending.length;
      pending = [];
    };
    for await (const entry of this.options.entries({ afterSeq: this.cursor, order: 'asc' })) {
      last = entry.seq;
      if (this.judged.delete(entry.seq)) continue;
      pending.push(entry);
      if (pending.length >= size) flush();
    }
    flush();
    this.cursor = last;
    this.lastRun = this.monotonic();
    return seen;
  }
}
