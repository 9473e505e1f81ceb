import { describe, expect, it } from 'vitest';
import { Scheduler } from '../scheduler/index.js';
import { ManualClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { checkpointDue } from './checkpoint.js';
import { ClosedError, GroupCommitter, type FlushDeadlineFactory } from './group-commit.js';

/** A scheduler of its own and the flush deadline the server gives the audit log on it. */
function onScheduler() {
  const scheduler = new Scheduler({ clock: new ManualClock(Date.UTC(2026, 0, 1)), logger: createLogger('silent'), autoStart: false });
  const deadline: FlushDeadlineFactory = (flush) => scheduler.deadline({ name: 'audit.group-commit', run: flush });
  return { scheduler, deadline };
}

/** A writer that records each batch; `gate` lets a test hold a batch "in the database". */
function recorder(fail?: (item: string) => boolean) {
  const batches: string[][] = [];
  const write = async (items: string[]) => {
    batches.push([...items]);
    if (fail && items.some(fail)) throw new Error(`batch with ${items.filter(fail).join(',')} failed`);
    return items.map((item) => `${item}!`);
  };
  return { batches, write };
}

describe('GroupCommitter', () => {
  it('writes a full batch at once and groups what arrives meanwhile', async () => {
    const { batches, write } = recorder();
    const committer = new GroupCommitter(write, { maxDelayMs: 1_000, maxEntries: 4 }, onScheduler().deadline);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => committer.enqueue(`e${i}`)));
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}!`));
    // The 4th item fills a batch and starts it; items 5-10 queue behind it and go 4 + 2.
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flat()).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
  });

  it('writes a partial batch when flushed instead of waiting for company', async () => {
    const { batches, write } = recorder();
    const committer = new GroupCommitter(write, { maxDelayMs: 60_000, maxEntries: 100 }, onScheduler().deadline);
    const pending = [committer.enqueue('a'), committer.enqueue('b')];
    await committer.flush();
    expect(await Promise.all(pending)).toEqual(['a!', 'b!']);
    expect(batches).toEqual([['a', 'b']]);
  });

  it('fails only the bad item of a batch', async () => {
    const { batches, write } = recorder((item) => item === 'bad');
    const committer = new GroupCommitter(write, { maxDelayMs: 60_000, maxEntries: 3 }, onScheduler().deadline);
    const settled = await Promise.allSettled(['x', 'bad', 'y'].map((item) => committer.enqueue(item)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });

  it('drains on close and refuses later items', async () => {
    const { write } = recorder();
    const committer = new GroupCommitter(write, { maxDelayMs: 60_000, maxEntries: 100 }, onScheduler().deadline);
    const queued = committer.enqueue('last');
    await committer.close();
    expect(await queued).toBe('last!');
    await expect(committer.enqueue('late')).rejects.toBeInstanceOf(ClosedError);
  });

  it('writes a partial batch when its deadline expires: one scheduler deadline per batch, not a timer per item', async () => {
    const { batches, write } = recorder();
    const { scheduler, deadline } = onScheduler();
    const committer = new GroupCommitter(write, { maxDelayMs: 5, maxEntries: 100 }, deadline);
    const first = [committer.enqueue('a'), committer.enqueue('b'), committer.enqueue('c')];
    expect(scheduler.list()).toMatchObject([{ name: 'audit.group-commit', kind: 'deadline', next_run_at: expect.any(String), runs: 0 }]);
    expect(await Promise.all(first)).toEqual(['a!', 'b!', 'c!']);
    expect(await committer.enqueue('d')).toBe('d!');
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
    expect(scheduler.list()).toMatchObject([{ name: 'audit.group-commit', runs: 2, failures: 0, last_error: null, next_run_at: null }]);
  });

  it('waits for no deadline once the scheduler has stopped (shutdown), nor without one', async () => {
    const { batches, write } = recorder();
    const { scheduler, deadline } = onScheduler();
    const committer = new GroupCommitter(write, { maxDelayMs: 60_000, maxEntries: 100 }, deadline);
    await scheduler.stop();
    expect(await committer.enqueue('after stop')).toBe('after stop!');
    const bare = new GroupCommitter(write, { maxDelayMs: 60_000, maxEntries: 100 });
    expect(await bare.enqueue('no scheduler')).toBe('no scheduler!');
    expect(batches).toEqual([['after stop'], ['no scheduler']]);
  });
});

describe('checkpointDue', () => {
  const policy = { everyEntries: 10, intervalSeconds: 60 };
  it('is due after N entries or T seconds with unsigned entries, never with none', () => {
    expect(checkpointDue({ seq: 9, lastCheckpointSeq: 0, sinceMs: 0 }, 59_999, policy)).toBe(false);
    expect(checkpointDue({ seq: 10, lastCheckpointSeq: 0, sinceMs: 0 }, 0, policy)).toBe(true);
    expect(checkpointDue({ seq: 11, lastCheckpointSeq: 10, sinceMs: 0 }, 60_000, policy)).toBe(true);
    expect(checkpointDue({ seq: 10, lastCheckpointSeq: 10, sinceMs: 0 }, 10_000_000, policy)).toBe(false);
  });
});
