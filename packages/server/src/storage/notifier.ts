import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import { sql } from 'kysely';
import type { DeadlineHandle, Scheduler } from '../scheduler/index.js';
import type { Logger } from '../shared/logger.js';
import type { Dialect, Executor } from './database.js';

/**
 * Change notices between replicas (docs/replicas.md). A replica that changes shared state that
 * other replicas hold in memory publishes a notice in the change's own transaction; PostgreSQL
 * delivers NOTIFY only when that transaction commits, so no replica hears of a change that
 * rolled back. Every replica LISTENs on one dedicated connection and hands each notice to the
 * listeners of its topic, which drop or reload what they hold.
 *
 * Notices are a speed-up, never the only path: a connection that drops loses what was sent
 * meanwhile, so after every reconnect, and every `replicas.catchUpIntervalMs` on the scheduler
 * (`replicas.catch-up`), each listener's `resync()` re-reads its state from the database.
 *
 * On SQLite there is one process: its own changes reach its own caches through the contexts'
 * in-process hooks, so publishing does nothing and nothing is listened to.
 */

/** What changed; the table of who publishes and who listens is in docs/replicas.md. */
export const CHANGE_TOPICS = {
  /** A token or an agent's tokens revoked (oauth/revocation.ts); id: the feed sequence. */
  revocation: 'revocation',
  /** An agent's status or fields changed (registry); id: its client id. */
  agent: 'agent',
  /** A policy or data revision stored (policy/); id: the revision. */
  policy: 'policy',
  /** OAuth signing keys created, activated or removed (oauth/keys/). */
  signingKeys: 'signing-keys',
  /** The workload CA moved a slot or was rotated (workload/). */
  ca: 'ca',
} as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[keyof typeof CHANGE_TOPICS];

/** The one PostgreSQL channel every notice travels on (the topic is in the payload). */
export const CHANGE_CHANNEL = 'mandate_changes';

export interface ChangeListener {
  /** A notice from another replica; `id` as the publisher gave it. Must not throw. */
  onNotice(id: string | null): void;
  /** Re-read everything this listener holds (after a reconnect, and on each catch-up run). */
  resync(): Promise<void> | void;
}

export interface ChangeNotifier {
  /** This process's name among the replicas (host, pid and a random suffix). */
  readonly replicaId: string;
  /** Whether notices from other replicas can arrive now (always false on SQLite). */
  readonly listening: boolean;
  /** Publishes a notice, delivered when `executor`'s transaction commits (at once outside one). */
  publish(executor: Executor, topic: ChangeTopic, id?: string | number | null): Promise<void>;
  /** Listens to one topic; returns the unsubscribe. */
  subscribe(topic: ChangeTopic, listener: ChangeListener): () => void;
  /** Every listener's `resync()` (the catch-up job); a failing listener does not stop the others. */
  resync(): Promise<void>;
  close(): Promise<void>;
}

export function newReplicaId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

interface Notice {
  r: string;
  t: ChangeTopic;
  i: string | null;
}

/** Listeners by topic and the catch-up, shared by both kinds of notifier. */
class Listeners {
  private readonly byTopic = new Map<ChangeTopic, Set<ChangeListener>>();

  constructor(private readonly logger: Logger) {}

  add(topic: ChangeTopic, listener: ChangeListener): () => void {
    let set = this.byTopic.get(topic);
    if (!set) this.byTopic.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  deliver(topic: ChangeTopic, id: string | null): void {
    for (const listener of this.byTopic.get(topic) ?? []) {
      try {
        listener.onNotice(id);
      } catch (error) {
        this.logger.error({ err: error, topic }, 'change notice listener failed');
      }
    }
  }

  async resync(): Promise<void> {
    const all = [...this.byTopic.entries()].flatMap(([topic, set]) => [...set].map((listener) => ({ topic, listener })));
    const failed = (
      await Promise.all(
        all.map(async ({ topic, listener }) => {
          try {
            await listener.resync();
            return null;
          } catch (error) {
            this.logger.error({ err: error, topic }, 'replica catch-up failed');
            return topic;
          }
        }),
      )
    ).filter((topic) => topic !== null);
    if (failed.length > 0) throw new Error(`catch-up failed for ${[...new Set(failed)].join(', ')}`);
  }
}

/** SQLite, one process: nothing to tell anyone; `resync` still works (tests, tools). */
export class LocalNotifier implements ChangeNotifier {
  readonly listening = false;
  private readonly listeners: Listeners;

  constructor(
    logger: Logger,
    readonly replicaId: string = newReplicaId(),
  ) {
    this.listeners = new Listeners(logger);
  }

  async publish(): Promise<void> {}

  subscribe(topic: ChangeTopic, listener: ChangeListener): () => void {
    return this.listeners.add(topic, listener);
  }

  resync(): Promise<void> {
    return this.listeners.resync();
  }

  async close(): Promise<void> {}
}

export interface PostgresNotifierOptions {
  url: string;
  logger: Logger;
  scheduler: Pick<Scheduler, 'deadline'>;
  replicaId?: string;
  /** First reconnect delay after the listening connection drops; doubles per failure. */
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
}

/**
 * LISTEN on one dedicated connection (not the pool's: a pooled client is handed to queries and
 * back, and LISTEN belongs to a session). The connection's `error` and `end` are handled: the
 * notifier stops listening, reconnects on the scheduler deadline `replicas.listen-reconnect`
 * with a doubling delay, and resyncs every listener once it listens again.
 */
export class PostgresNotifier implements ChangeNotifier {
  readonly replicaId: string;
  private readonly listeners: Listeners;
  private client: pg.Client | null = null;
  private connected = false;
  private closed = false;
  private failures = 0;
  private readonly reconnect: DeadlineHandle;

  constructor(private readonly options: PostgresNotifierOptions) {
    this.replicaId = options.replicaId ?? newReplicaId();
    this.listeners = new Listeners(options.logger);
    this.reconnect = options.scheduler.deadline({ name: 'replicas.listen-reconnect', run: () => this.connect(true) });
  }

  get listening(): boolean {
    return this.connected;
  }

  /** Connects and LISTENs; throws when the first connection fails (the start fails with it). */
  async start(): Promise<void> {
    await this.connect(false);
    if (!this.connected) throw new Error('cannot LISTEN for replica change notices');
  }

  private async connect(resync: boolean): Promise<void> {
    if (this.closed || this.connected) return;
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true, application_name: `mandate-listen ${this.replicaId}`.slice(0, 63) });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (message) => this.receive(message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'replica change notices: cannot listen; retrying');
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.retry();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connected = true;
    this.failures = 0;
    // Whatever was published while nobody listened is found by reading the state again.
    if (resync) {
      this.options.logger.info('replica change notices: listening again; catching up');
      await this.listeners.resync().catch(() => undefined);
    }
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    this.connected = false;
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.options.logger.warn({ err: error ?? undefined }, 'replica change notices: connection lost; reconnecting');
    this.retry();
  }

  private retry(): void {
    const delay = Math.min(this.options.reconnectDelayMs * 2 ** this.failures, this.options.reconnectMaxDelayMs);
    this.failures += 1;
    this.reconnect.arm(delay);
  }

  private receive(payload: string | undefined): void {
    let notice: Notice;
    try {
      notice = JSON.parse(payload ?? '') as Notice;
    } catch {
      return;
    }
    // This replica's own changes reached its caches through in-process hooks already.
    if (notice.r === this.replicaId) return;
    this.listeners.deliver(notice.t, notice.i ?? null);
  }

  async publish(executor: Executor, topic: ChangeTopic, id: string | number | null = null): Promise<void> {
    const payload: Notice = { r: this.replicaId, t: topic, i: id === null ? null : String(id) };
    await sql`select pg_notify(${CHANGE_CHANNEL}, ${JSON.stringify(payload)})`.execute(executor);
  }

  subscribe(topic: ChangeTopic, listener: ChangeListener): () => void {
    return this.listeners.add(topic, listener);
  }

  resync(): Promise<void> {
    return this.listeners.resync();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reconnect.disarm();
    const client = this.client;
    this.client = null;
    this.connected = false;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}

export interface NotifierOptions extends Omit<PostgresNotifierOptions, 'url'> {
  dialect: Dialect;
  url: string | undefined;
}

/** The notifier for this store: LISTEN/NOTIFY on PostgreSQL, silent on SQLite. */
export async function openNotifier(options: NotifierOptions): Promise<ChangeNotifier> {
  if (options.dialect !== 'postgres' || !options.url) return new LocalNotifier(options.logger, options.replicaId);
  const notifier = new PostgresNotifier({ ...options, url: options.url });
  await notifier.start();
  return notifier;
}
