import pg from 'pg';

/**
 * Connections to the target databases: one small pool per configured connection, built from
 * its (unsealed) root URL on first use and dropped when the URL changes (reconfiguration, root
 * rotation). A target that does not answer within `connectTimeoutMs` fails the operation (a
 * revocation is then retried by the lease manager).
 */
export class TargetPools {
  private readonly pools = new Map<string, { url: string; pool: pg.Pool }>();
  /** Per connection, the tail of the queue of role changes (see `exclusive`). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly connectTimeoutMs: number) {}

  pool(name: string, url: string): pg.Pool {
    const current = this.pools.get(name);
    if (current && current.url === url) return current.pool;
    if (current) void current.pool.end().catch(() => {});
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: this.connectTimeoutMs, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    // An idle client's error (the target restarted) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    this.pools.set(name, { url, pool });
    return pool;
  }

  /**
   * Runs role changes (creation, revocation) on one connection one at a time: PostgreSQL
   * refuses concurrent GRANT / DROP OWNED on the same object with "tuple concurrently updated",
   * so parallel issuance and revocation would fail each other at random.
   */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    const tail = next.catch(() => {});
    this.queues.set(name, tail);
    void tail.then(() => {
      if (this.queues.get(name) === tail) this.queues.delete(name);
    });
    return next;
  }

  /** Runs statements in one transaction on one client (creation: all or nothing). */
  async inTransaction(name: string, url: string, statements: readonly string[]): Promise<void> {
    const client = await this.pool(name, url).connect();
    try {
      await client.query('BEGIN');
      for (const statement of statements) await client.query(statement);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      client.release(true);
      throw error;
    }
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(name: string, url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool(name, url).query<R>(text, values);
  }

  /**
   * Whether `url` logs in now, on a connection of its own: a pooled connection stays logged in
   * after its password changed, so only a fresh one says which password the target holds.
   * Resolves true, false when the target refuses the password (28P01), or throws (unreachable).
   */
  async logsIn(url: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: this.connectTimeoutMs });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === '28P01') return false;
      throw error;
    } finally {
      await client.end().catch(() => {});
    }
  }

  forget(name: string): void {
    const current = this.pools.get(name);
    this.pools.delete(name);
    if (current) void current.pool.end().catch(() => {});
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(({ pool }) => pool.end().catch(() => {})));
  }
}
