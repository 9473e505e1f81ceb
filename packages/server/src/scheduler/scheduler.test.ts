import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { Scheduler } from './scheduler.js';

const logger = createLogger('silent');

function manual(options: { isLeader?: () => boolean } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 11, 2));
  return { clock, scheduler: new Scheduler({ clock, logger, autoStart: false, ...options }) };
}

describe('Scheduler', () => {
  it('runs a job when the injected clock reaches its due time, then every interval', async () => {
    const { clock, scheduler } = manual();
    let runs = 0;
    scheduler.every({ name: 'test.count', everyMs: 30_000, run: () => void runs++ });
    await scheduler.runDue();
    expect(runs).toBe(0);
    clock.advance(29_999);
    await scheduler.runDue();
    expect(runs).toBe(0);
    clock.advance(1);
    await scheduler.runDue();
    expect(runs).toBe(1);
    await scheduler.runDue();
    expect(runs).toBe(1);
    clock.advance(30_000);
    await scheduler.runDue();
    expect(runs).toBe(2);
  });

  it('shows each job with its next run, last run and last error, and recovers from a failure', async () => {
    const { clock, scheduler } = manual();
    let fail = true;
    scheduler.every({
      name: 'test.flaky',
      everyMs: 1_000,
      run: () => {
        if (fail) throw new Error('database unreachable');
      },
    });
    scheduler.every({ name: 'test.other', everyMs: 5_000, firstRunInMs: 0, singleton: true, run: () => undefined });
    clock.advance(1_000);
    await scheduler.runDue();
    const [flaky, other] = scheduler.list();
    expect(flaky).toMatchObject({ name: 'test.flaky', kind: 'periodic', every_ms: 1_000, runs: 1, failures: 1, last_error: 'database unreachable', running: false, singleton: false });
    expect(flaky!.next_run_at).toBe(new Date(clock.now() + 1_000).toISOString());
    expect(other).toMatchObject({ name: 'test.other', runs: 1, failures: 0, last_error: null, singleton: true });
    fail = false;
    clock.advance(1_000);
    await scheduler.runDue();
    expect(scheduler.list()[0]).toMatchObject({ runs: 2, failures: 1, last_error: null });
  });

  it('never runs one job twice at once: runNow during a run waits for that run', async () => {
    const { scheduler } = manual();
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const job = scheduler.every({
      name: 'test.slow',
      everyMs: 1_000,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await gate;
        active--;
      },
    });
    const first = job.runNow();
    const second = job.runNow();
    expect(scheduler.list()[0]!.running).toBe(true);
    release();
    await Promise.all([first, second]);
    expect(maxActive).toBe(1);
    expect(scheduler.list()[0]!.runs).toBe(1);
  });

  it('runs singleton jobs only while this replica leads', async () => {
    let leader = false;
    const { clock, scheduler } = manual({ isLeader: () => leader });
    let singletonRuns = 0;
    let everywhereRuns = 0;
    scheduler.every({ name: 'test.singleton', everyMs: 1_000, singleton: true, run: () => void singletonRuns++ });
    scheduler.every({ name: 'test.everywhere', everyMs: 1_000, run: () => void everywhereRuns++ });
    clock.advance(1_000);
    await scheduler.runDue();
    expect([singletonRuns, everywhereRuns]).toEqual([0, 1]);
    leader = true;
    clock.advance(1_000);
    await scheduler.runDue();
    expect([singletonRuns, everywhereRuns]).toEqual([1, 2]);
  });

  it('refuses a duplicate name and a non-positive interval', () => {
    const { scheduler } = manual();
    scheduler.every({ name: 'test.once', everyMs: 1, run: () => undefined });
    expect(() => scheduler.every({ name: 'test.once', everyMs: 1, run: () => undefined })).toThrow(/already registered/);
    expect(() => scheduler.every({ name: 'test.zero', everyMs: 0, run: () => undefined })).toThrow(/positive/);
  });

  it('stop() waits for a run in progress and cancels the rest as one', async () => {
    const { scheduler } = manual();
    let finished = false;
    const job = scheduler.every({
      name: 'test.finishing',
      everyMs: 1_000,
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished = true;
      },
    });
    const run = job.runNow();
    await scheduler.stop();
    expect(finished).toBe(true);
    await run;
    expect(scheduler.list()[0]!.next_run_at).toBeNull();
    expect(() => scheduler.every({ name: 'test.late', everyMs: 1, run: () => undefined })).toThrow(/stopped/);
  });

  it('with the real driver, wakes by itself for a due job (clock moved by hand is seen within maxSleepMs)', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2));
    const scheduler = new Scheduler({ clock, logger, maxSleepMs: 10 });
    let ran!: () => void;
    const done = new Promise<void>((resolve) => (ran = resolve));
    scheduler.every({ name: 'test.driven', everyMs: 60_000, run: () => ran() });
    clock.advance(60_000);
    await done;
    await scheduler.stop();
    expect(scheduler.list()[0]!.runs).toBe(1);
  });
});

describe('Scheduler deadlines', () => {
  it('run once, a real-time delay after being armed, even while the injected clock stands still', async () => {
    const { scheduler } = manual();
    let runs = 0;
    let ran!: () => void;
    const done = new Promise<void>((resolve) => (ran = resolve));
    const flush = scheduler.deadline({
      name: 'test.flush',
      run: () => {
        runs++;
        ran();
      },
    });
    flush.arm(5);
    flush.arm(5); // already armed: one run
    expect(flush.armed).toBe(true);
    expect(scheduler.list()[0]).toMatchObject({ name: 'test.flush', kind: 'deadline', every_ms: null, next_run_at: expect.any(String) });
    await done;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(1);
    expect(flush.armed).toBe(false);
    expect(scheduler.list()[0]).toMatchObject({ runs: 1, next_run_at: null });
  });

  it('can be disarmed, and stop() disarms every deadline', async () => {
    const { scheduler } = manual();
    let runs = 0;
    const a = scheduler.deadline({ name: 'test.a', run: () => void runs++ });
    const b = scheduler.deadline({ name: 'test.b', run: () => void runs++ });
    a.arm(5);
    a.disarm();
    b.arm(5);
    await scheduler.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(0);
    expect(b.armed).toBe(false);
  });
});
