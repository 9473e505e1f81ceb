import { realSleep, systemClock, type Clock, type Sleeper } from '../shared/clock.js';
import type { DatabaseCredentials } from './db.js';

/**
 * The little of node-postgres' `Pool` the helper uses. The SDK does not depend on `pg`: the
 * agent passes its own `Pool` class (`import pg from 'pg'; rotatingPgPool({ Pool: pg.Pool, … })`),
 * so agents that never talk to a database install nothing, and the agent's pg version is used.
 */
export interface PoolLike {
  query(text: string, values?: unknown[]): Promise<unknown>;
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on?(event: 'error', listener: (error: Error) => void): unknown;
}
export type PoolConstructor<P extends PoolLike = PoolLike> = new (config: Record<string, unknown>) => P;

export interface RotatingPoolOptions<P extends PoolLike = PoolLike> {
  /** Fetches fresh credentials (e.g. `() => mandate.db.credentials('main', 'reader')`). */
  credentials: () => Promise<DatabaseCredentials>;
  /** node-postgres' Pool class (or anything shaped like it). */
  Pool: PoolConstructor<P>;
  /** Pool options besides user and password: host, port, database, ssl, max, … */
  pool: Record<string, unknown>;
  /** Switch to new credentials when this fraction of the lease is left (default 1/3, at least 2 s). */
  refreshWhenLeft?: number;
  /** Where refresh failures are reported (the old pool stays in use and the next try comes soon). */
  onError?: (error: unknown) => void;
  clock?: Clock;
  sleep?: Sleeper;
}

/** A refresh that failed is tried again after this long (or sooner if the lease runs out). */
const RETRY_MS = 1_000;
const MIN_MARGIN_MS = 2_000;

/**
 * A pg pool that never holds expired credentials: before the lease ends it asks for new
 * credentials, builds a new pool with them, and moves every new query there; the old pool is
 * ended once its checked-out clients are released (its role is dropped by Mandate at expiry).
 * `query`/`connect` always use the current pool. `close()` ends the loop and both pools and
 * revokes the current lease.
 */
export class RotatingPgPool<P extends PoolLike = PoolLike> {
  private current: { pool: P; creds: DatabaseCredentials } | null = null;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly clock: Clock;
  private readonly sleep: Sleeper;

  constructor(private readonly options: RotatingPoolOptions<P>) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Gets the first credentials and starts the refresh loop. */
  async start(): Promise<this> {
    await this.refresh();
    this.loop = this.run();
    return this;
  }

  get credentials(): DatabaseCredentials {
    if (!this.current) throw new Error('the pool is not started (await start())');
    return this.current.creds;
  }

  /** A query on the current pool; `R` is what the pool's query resolves to (pg: `QueryResult`). */
  query<R = unknown>(text: string, values?: unknown[]): Promise<R> {
    if (!this.current) throw new Error('the pool is not started (await start())');
    return this.current.pool.query(text, values) as Promise<R>;
  }

  /** A client of the current pool (release it as the pool's own clients are released). */
  connect(): ReturnType<P['connect']> {
    if (!this.current) throw new Error('the pool is not started (await start())');
    return this.current.pool.connect() as ReturnType<P['connect']>;
  }

  /** Switches to fresh credentials now (the loop does it before expiry by itself). */
  async refresh(): Promise<void> {
    const creds = await this.options.credentials();
    const pool = new this.options.Pool({ ...this.options.pool, user: creds.username, password: creds.password });
    pool.on?.('error', (error) => this.options.onError?.(error));
    const previous = this.current;
    this.current = { pool, creds };
    // Clients checked out of the old pool finish their work; end() waits for them.
    if (previous) void previous.pool.end().catch((error: unknown) => this.options.onError?.(error));
  }

  /** How long to wait before the next refresh: until `refreshWhenLeft` of the lease remains. */
  nextRefreshInMs(): number {
    const creds = this.credentials;
    const margin = Math.max(creds.ttl * 1000 * (this.options.refreshWhenLeft ?? 1 / 3), MIN_MARGIN_MS);
    return Math.max(0, creds.remainingMs(this.clock.now()) - margin);
  }

  private async run(): Promise<void> {
    let wait = this.nextRefreshInMs();
    while (!this.abort.signal.aborted) {
      try {
        await this.sleep(wait, this.abort.signal);
      } catch {
        return;
      }
      try {
        await this.refresh();
        wait = this.nextRefreshInMs();
      } catch (error) {
        this.options.onError?.(error);
        wait = Math.min(RETRY_MS, Math.max(0, this.credentials.remainingMs(this.clock.now())));
      }
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
    const current = this.current;
    this.current = null;
    if (!current) return;
    await current.pool.end();
    await current.creds.revoke().catch((error: unknown) => this.options.onError?.(error));
  }
}

/** Builds and starts a RotatingPgPool. */
export function rotatingPgPool<P extends PoolLike>(options: RotatingPoolOptions<P>): Promise<RotatingPgPool<P>> {
  return new RotatingPgPool<P>(options).start();
}
