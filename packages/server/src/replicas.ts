import { Gauge } from 'prom-client';
import type { Config } from './config/schema.js';
import type { Scheduler } from './scheduler/index.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { AdvisoryLeader, newReplicaId, openNotifier, soleLeader, type ChangeNotifier, type LeaderElection, type LeaderState, type Store } from './storage/index.js';

/**
 * Part of the composition root: what makes several replicas on one PostgreSQL behave as one
 * server (docs/replicas.md). Builds the leader election and the change notifier and puts their
 * timed work on the one scheduler:
 *
 * | job | kind | runs on | what |
 * |---|---|---|---|
 * | `replicas.leader` | periodic | every replica (PostgreSQL) | take the leader lock if free; the leader checks its connection |
 * | `replicas.catch-up` | periodic | every replica (PostgreSQL) | every change listener re-reads its state: the bound on a missed notice |
 * | `replicas.listen-reconnect` | deadline | every replica (PostgreSQL) | reconnects the LISTEN connection after it dropped |
 *
 * (`monitoring.follow`, the leader's read of every replica's audit entries, is the monitoring context's: monitoring/setup.ts.)
 */
export interface Replicas {
  readonly replicaId: string;
  readonly election: LeaderElection;
  readonly notifier: ChangeNotifier;
  /** `mandate_replica_leader`, for GET /metrics (runtime adopts it into the monitoring registry). */
  readonly leaderMetric: Gauge;
  close(): Promise<void>;
}

/**
 * `mandate_replica_leader`: 1 on the replica that runs the singleton jobs. One gauge per
 * runtime, read at each scrape, for the runtime's own metrics registry (not prom-client's
 * default one, which several runtimes in one test process would share).
 */
function leaderGauge(election: LeaderState): Gauge {
  return new Gauge({
    name: 'mandate_replica_leader',
    help: 'Whether this replica holds the leader lock and runs the scheduler singleton jobs (1) or not (0).',
    registers: [],
    collect() {
      this.set(election.leader ? 1 : 0);
    },
  });
}

export interface ReplicaSetup {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The election is read by the scheduler it schedules on: the runtime hands a scheduler whose `isLeader` asks `election`. */
  scheduler: Scheduler;
}

/**
 * The election as the scheduler's `isLeader` needs it before the election exists (the
 * scheduler is built first, the election's round is a job on it).
 */
export class LeaderSwitch {
  election: LeaderElection | null = null;
  isLeader = (): boolean => this.election?.leader ?? false;
}

export async function startReplicas(setup: ReplicaSetup, leader: LeaderSwitch): Promise<Replicas> {
  const { config, store, clock, logger, scheduler } = setup;
  const replicaId = newReplicaId();
  const settings = config.replicas;
  const postgres = store.dialect === 'postgres' && config.databaseUrl !== undefined;
  const election: LeaderElection = postgres
    ? new AdvisoryLeader({
        url: config.databaseUrl!,
        replicaId,
        logger,
        now: () => clock.now(),
        queryTimeoutMs: settings.leaderQueryTimeoutMs,
      })
    : soleLeader(clock.now());
  leader.election = election;
  const notifier = await openNotifier({
    dialect: store.dialect,
    url: config.databaseUrl,
    logger,
    scheduler,
    replicaId,
    reconnectDelayMs: settings.listenReconnectDelayMs,
    reconnectMaxDelayMs: settings.listenReconnectMaxDelayMs,
  });
  if (postgres) {
    // The first round before any singleton job can run: a replica that starts alone leads at once.
    await election.tick();
    scheduler.every({ name: 'replicas.leader', everyMs: settings.leaderRetryMs, run: () => election.tick() });
    scheduler.every({ name: 'replicas.catch-up', everyMs: settings.catchUpIntervalMs, run: () => notifier.resync() });
  }
  logger.info({ replica: replicaId, leader: election.leader, store: store.dialect }, postgres ? 'replica started' : 'single process (SQLite): always the leader');
  return {
    replicaId,
    election,
    notifier,
    leaderMetric: leaderGauge(election),
    close: async () => {
      await notifier.close();
      // Last: the lock goes with the session, so another replica takes over within leaderRetryMs.
      await election.close();
    },
  };
}
