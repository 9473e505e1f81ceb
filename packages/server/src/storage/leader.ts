import pg from 'pg';
import type { Logger } from '../shared/logger.js';

/**
 * Which replica runs the scheduler's singleton jobs (lease expiry, rotations, checkpoints,
 * pruning, retention): the one holding a PostgreSQL session advisory lock on a connection of
 * its own (docs/replicas.md "Leader").
 *
 * - A session lock lives exactly as long as the connection: when the leader dies (even by
 *   SIGKILL) the kernel closes its socket, PostgreSQL ends the backend and the lock is free.
 *   Every other replica tries `pg_try_advisory_lock` every `replicas.leaderRetryMs`, so one of
 *   them leads within that bound after PostgreSQL notices the closed connection (at once for a
 *   dead process; TCP keepalive bounds it for a silent network).
 * - The leader checks its connection with a query at the same interval; a failed check or a
 *   connection error ends leadership at once, before the next singleton run. It never
 *   believes it leads on a connection it cannot use.
 * - On SQLite there is one process and it always leads (no lock).
 */

/** The advisory lock key ("mandld", below 2^53 so it prints exactly): one leader per database. */
export const LEADER_LOCK_KEY = 0x6d616e646c64;

export interface LeaderState {
  /** Whether this replica runs singleton jobs now. */
  readonly leader: boolean;
  /** When this replica last became leader (ms since epoch), null while it does not lead. */
  readonly since: number | null;
}

export interface LeaderElection extends LeaderState {
  /** One round: connect if needed, take the lock if free, or check the connection that holds it. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/** SQLite (or any single process): always the leader. */
export function soleLeader(now: number): LeaderElection {
  return { leader: true, since: now, tick: async () => {}, close: async () => {} };
}

export interface AdvisoryLeaderOptions {
  url: string;
  replicaId: string;
  logger: Logger;
  now: () => number;
  /** Longest a check or a lock attempt may take before the connection is treated as lost. */
  queryTimeoutMs: number;
  onChange?: (leader: boolean) => void;
}

export class AdvisoryLeader implements LeaderElection {
  private client: pg.Client | null = null;
  private holding = false;
  private leaderSince: number | null = null;
  private closed = false;
  private round: Promise<void> | null = null;

  constructor(private readonly options: AdvisoryLeaderOptions) {}

  get leader(): boolean {
    return this.holding;
  }

  get since(): number | null {
    return this.leaderSince;
  }

  /** Rounds never overlap: a caller during a round waits for it. */
  tick(): Promise<void> {
    this.round ??= this.once().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private async once(): Promise<void> {
    if (this.closed) return;
    const client = this.client ?? (await this.connect());
    if (!client) return;
    try {
      if (this.holding) {
        await this.query(client, 'select 1');
        return;
      }
      const result = await this.query(client, `select pg_try_advisory_lock(${LEADER_LOCK_KEY}) as locked`);
      if (result.rows[0]?.locked === true && !this.closed) this.become(true);
    } catch (error) {
      this.drop(client, error as Error);
    }
  }

  private async connect(): Promise<pg.Client | null> {
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true, application_name: `mandate-leader ${this.options.replicaId}`.slice(0, 63) });
    client.on('error', (error) => this.drop(client, error));
    try {
      await client.connect();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'leader election: cannot connect; will retry');
      await client.end().catch(() => undefined);
      return null;
    }
    this.client = client;
    return client;
  }

  private query(client: pg.Client, text: string): Promise<pg.QueryResult> {
    return client.query({ text, query_timeout: this.options.queryTimeoutMs } as pg.QueryConfig);
  }

  /** The connection is unusable: leadership ends now (the lock went with the session). */
  private drop(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.holding) this.options.logger.warn({ err: error }, 'leader election: lost the connection holding the leader lock; no longer leading');
    this.become(false);
    void client.end().catch(() => undefined);
  }

  private become(leader: boolean): void {
    if (this.holding === leader) return;
    this.holding = leader;
    this.leaderSince = leader ? this.options.now() : null;
    this.options.logger.info({ replica: this.options.replicaId }, leader ? 'leader election: this replica leads (runs singleton jobs)' : 'leader election: this replica follows');
    this.options.onChange?.(leader);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.round?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    this.become(false);
    // Ending the session releases the lock: another replica leads within one retry interval.
    if (client) await client.end().catch(() => undefined);
  }
}
