import { describe, expect, it } from 'vitest';
import { Scheduler } from '../scheduler/index.js';
import { ManualClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { deadlineSleep } from './deadline-sleep.js';

function setup() {
  // Domain time stands still: the waits are real milliseconds, as a deadline's are.
  const scheduler = new Scheduler({ clock: new ManualClock(Date.UTC(2026, 0, 1)), logger: createLogger('silent'), autoStart: false });
  return { scheduler, sleep: deadlineSleep(scheduler, 'test.retry') };
}

describe('deadlineSleep', () => {
  it('wakes concurrent sleepers in due order on one deadline, listed as one job', async () => {
    const { scheduler, sleep } = setup();
    const signal = new AbortController().signal;
    const woken: number[] = [];
    const sleeps = [60, 5, 30].map((ms) => sleep(ms, signal).then(() => woken.push(ms)));
    expect(scheduler.list()).toMatchObject([{ name: 'test.retry', kind: 'deadline', next_run_at: expect.any(String) }]);
    await Promise.all(sleeps);
    expect(woken).toEqual([5, 30, 60]);
    expect(scheduler.list()[0]).toMatchObject({ next_run_at: null, failures: 0 });
    expect(scheduler.list()[0]!.runs).toBeGreaterThanOrEqual(3);
  });

  it('rejects an aborted sleeper and re-arms for the others', async () => {
    const { sleep } = setup();
    const early = new AbortController();
    const aborted = sleep(5, early.signal);
    const other = sleep(20, new AbortController().signal);
    early.abort();
    await expect(aborted).rejects.toThrow();
    await expect(other).resolves.toBeUndefined();
  });

  it('wakes nobody once the scheduler has stopped: the owner aborts its sleepers', async () => {
    const { scheduler, sleep } = setup();
    const closing = new AbortController();
    let woke = false;
    const pending = sleep(5, closing.signal).then(() => (woke = true));
    await scheduler.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(woke).toBe(false);
    closing.abort();
    await expect(pending).rejects.toThrow();
  });
});
