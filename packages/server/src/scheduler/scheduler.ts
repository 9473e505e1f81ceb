import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

/**
 * The one place timed work runs (the role of Vault's expiration manager): every periodic job
 * (key rotation, pruning, checkpoint signing, approval expiry, and next lease expiry and
 * certificate rotation) is registered here by name, runs on the injected clock, shows its
 * state in `list()`, and stops with everything else in `stop()`.
 *
 * Due times come from the injected clock, so a test with a ManualClock moves time and calls
 * `runDue()`; the real driver wakes at the next due time but at least every `maxSleepMs`, so
 * a clock moved by hand is noticed within that bound too.
 *
 * Singleton jobs run only while `isLeader()` holds: with several replicas on one database,
 * one of them (the holder of a lock, scale-out) does the work for all; alone, it is always us.
 */
export interface JobSpec {
  /** Unique, dotted by context: `oauth.signing-keys`, `approvals.expiry`. */
  name: string;
  /** Interval between the end of one run and the start of the next. */
  everyMs: number;
  /** Delay before the first run; default `everyMs`. */
  firstRunInMs?: number;
  /** Runs on the leader replica only (work on shared state that one replica does for all). */
  singleton?: boolean;
  run(): Promise<unknown> | unknown;
}

export interface JobStatus {
  name: string;
  /** `periodic` (domain time, injected clock) or `deadline` (a real-time delay, e.g. a batch flush). */
  kind: 'periodic' | 'deadline';
  /** The interval of a periodic job; null for a deadline. */
  every_ms: number | null;
  singleton: boolean;
  /** ISO time of the next run (null while running or after stop). */
  next_run_at: string | null;
  last_run_at: string | null;
  last_duration_ms: number | null;
  /** Message of the last run's error, or null when it succeeded (or has not run). */
  last_error: string | null;
  runs: number;
  failures: number;
  running: boolean;
}

export interface JobHandle {
  /** Removes the job; a run in progress finishes. */
  cancel(): void;
  /** Runs the job now (in turn: never two runs of one job at once) and waits for it. */
  runNow(): Promise<void>;
}

/**
 * A deadline: work to run once, a short real-time delay after it is armed (group-commit flush,
 * webhook retry backoff). Real milliseconds, not the injected clock: these are I/O delays that
 * must pass while a test holds domain time still. Arming an armed deadline keeps the earlier one.
 */
export interface DeadlineSpec {
  name: string;
  run(): Promise<unknown> | unknown;
}

export interface DeadlineHandle {
  /** Runs `run` after `delayMs` real ms, unless already armed. */
  arm(delayMs: number): void;
  /** Cancels the pending run, if any. */
  disarm(): void;
  readonly armed: boolean;
}

export interface SchedulerOptions {
  clock: Clock;
  logger: Logger;
  /** Whether this replica runs singleton jobs (default: always). */
  isLeader?: () => boolean;
  /** Longest real sleep between due checks (default 1 s). */
  maxSleepMs?: number;
  /** Drive jobs with a real timer (default true); tests may drive with `runDue()` alone. */
  autoStart?: boolean;
}

interface Job {
  spec: JobSpec;
  kind: 'periodic' | 'deadline';
  nextRunMs: number;
  lastRunMs: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  runs: number;
  failures: number;
  current: Promise<void> | null;
}

const DEFAULT_MAX_SLEEP_MS = 1_000;

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly deadlines = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly maxSleepMs: number;
  private readonly isLeader: () => boolean;

  constructor(private readonly options: SchedulerOptions) {
    this.maxSleepMs = options.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS;
    this.isLeader = options.isLeader ?? (() => true);
  }

  /** Registers a periodic job. Names are unique: registering one twice is a programming error. */
  every(spec: JobSpec): JobHandle {
    if (!(spec.everyMs > 0)) throw new Error(`job '${spec.name}': everyMs must be positive`);
    const job = this.register(spec, 'periodic', this.options.clock.now() + (spec.firstRunInMs ?? spec.everyMs));
    this.arm();
    return {
      cancel: () => {
        this.jobs.delete(spec.name);
      },
      runNow: () => this.execute(job),
    };
  }

  /** Registers a deadline (see DeadlineSpec); its runs and errors show in `list()` like any job's. */
  deadline(spec: DeadlineSpec): DeadlineHandle {
    const job = this.register({ name: spec.name, everyMs: 0, run: spec.run }, 'deadline', Number.POSITIVE_INFINITY);
    let timer: NodeJS.Timeout | null = null;
    const disarm = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      job.nextRunMs = Number.POSITIVE_INFINITY;
    };
    this.deadlines.add(disarm);
    return {
      arm: (delayMs) => {
        if (timer || this.stopped) return;
        job.nextRunMs = this.options.clock.now() + delayMs;
        timer = setTimeout(() => {
          timer = null;
          job.nextRunMs = Number.POSITIVE_INFINITY;
          void this.runOnce(job);
        }, delayMs);
      },
      disarm,
      get armed() {
        return timer !== null;
      },
    };
  }

  /** Adds a job under its unique name (registering one twice, or after stop, is a programming error). */
  private register(spec: JobSpec, kind: Job['kind'], nextRunMs: number): Job {
    if (this.stopped) throw new Error(`scheduler is stopped; cannot register '${spec.name}'`);
    if (this.jobs.has(spec.name)) throw new Error(`a job named '${spec.name}' is already registered`);
    const job: Job = { spec, kind, nextRunMs, lastRunMs: null, lastDurationMs: null, lastError: null, runs: 0, failures: 0, current: null };
    this.jobs.set(spec.name, job);
    return job;
  }

  /** Every job's state, by name. */
  list(): JobStatus[] {
    return [...this.jobs.values()]
      .map((job) => ({
        name: job.spec.name,
        kind: job.kind,
        every_ms: job.kind === 'periodic' ? job.spec.everyMs : null,
        singleton: job.spec.singleton ?? false,
        next_run_at: job.current || this.stopped || !Number.isFinite(job.nextRunMs) ? null : new Date(job.nextRunMs).toISOString(),
        last_run_at: job.lastRunMs === null ? null : new Date(job.lastRunMs).toISOString(),
        last_duration_ms: job.lastDurationMs,
        last_error: job.lastError,
        runs: job.runs,
        failures: job.failures,
        running: job.current !== null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Runs every job due by the clock (not already running) and waits for them. */
  async runDue(): Promise<void> {
    const now = this.options.clock.now();
    const due = [...this.jobs.values()].filter((job) => job.kind === 'periodic' && job.nextRunMs <= now && !job.current);
    await Promise.all(due.map((job) => this.execute(job)));
  }

  /** Cancels every job and deadline and waits for periodic runs in progress; the scheduler cannot be used after. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const disarm of this.deadlines) disarm();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const running = [...this.jobs.values()].map((job) => job.current).filter((run): run is Promise<void> => run !== null);
    await Promise.all(running);
  }

  private execute(job: Job): Promise<void> {
    // One run of a job at a time: a caller asking during a run waits for that run.
    job.current ??= this.runOnce(job).finally(() => {
      job.current = null;
      job.nextRunMs = this.options.clock.now() + job.spec.everyMs;
      this.arm();
    });
    return job.current;
  }

  private async runOnce(job: Job): Promise<void> {
    if (job.spec.singleton && !this.isLeader()) return;
    const started = this.options.clock.now();
    const startedReal = performance.now();
    job.lastRunMs = started;
    job.runs += 1;
    try {
      await job.spec.run();
      job.lastError = null;
    } catch (error) {
      job.failures += 1;
      job.lastError = error instanceof Error ? error.message : String(error);
      this.options.logger.error({ err: error, job: job.spec.name }, `scheduled job '${job.spec.name}' failed`);
    } finally {
      job.lastDurationMs = Math.round(performance.now() - startedReal);
    }
  }

  /** (Re)sets the one real timer for the next due job, bounded by `maxSleepMs`. */
  private arm(): void {
    if (this.stopped || this.options.autoStart === false) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.jobs.size === 0) return;
    const next = Math.min(...[...this.jobs.values()].filter((job) => job.kind === 'periodic' && !job.current).map((job) => job.nextRunMs));
    const delay = Number.isFinite(next) ? Math.min(Math.max(0, next - this.options.clock.now()), this.maxSleepMs) : this.maxSleepMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runDue().finally(() => this.arm());
    }, delay);
    this.timer.unref();
  }
}
