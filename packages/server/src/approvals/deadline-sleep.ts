import type { DeadlineHandle, Scheduler } from '../scheduler/index.js';

/** Waits `ms` real milliseconds; rejects when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

interface Sleeper {
  dueAt: number;
  wake(): void;
}

/**
 * Many concurrent waits on one named scheduler deadline: each webhook delivery backs off on its
 * own, but they all show as one job (`approvals.webhook-retry`, with the next retry's time) in
 * `GET /v1/jobs`, and none fires after the scheduler stops. A deadline holds one delay, so this
 * keeps the sleepers and arms it for the earliest.
 *
 * The delays are real milliseconds, as every deadline's are (I/O backoff must pass while a test
 * holds the injected clock still), so due times are read from `performance.now()`, a monotonic
 * real clock, not from the injected Clock.
 *
 * Once the scheduler has stopped nothing wakes the sleepers: their owner aborts them (the
 * notifier's `close()`, run at shutdown right after the scheduler stops).
 */
export function deadlineSleep(scheduler: Scheduler, name: string, now: () => number = () => performance.now()): Sleep {
  const sleepers = new Set<Sleeper>();
  /** The due time the deadline is armed for (infinite when it is not). */
  let armedFor = Number.POSITIVE_INFINITY;

  const rearm = (deadline: DeadlineHandle) => {
    let next = Number.POSITIVE_INFINITY;
    for (const sleeper of sleepers) next = Math.min(next, sleeper.dueAt);
    if (deadline.armed && armedFor <= next) return;
    deadline.disarm();
    armedFor = next;
    if (Number.isFinite(next)) deadline.arm(Math.max(0, next - now()));
  };

  const deadline: DeadlineHandle = scheduler.deadline({
    name,
    run: () => {
      armedFor = Number.POSITIVE_INFINITY;
      const at = now();
      for (const sleeper of sleepers) {
        if (sleeper.dueAt > at) continue;
        sleepers.delete(sleeper);
        sleeper.wake();
      }
      rearm(deadline);
    },
  });

  return (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        sleepers.delete(sleeper);
        rearm(deadline);
        reject(signal.reason);
      };
      const sleeper: Sleeper = {
        dueAt: now() + ms,
        wake: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      sleepers.add(sleeper);
      rearm(deadline);
    });
}
