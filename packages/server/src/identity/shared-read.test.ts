import { describe, expect, it } from 'vitest';
import { sharedRead } from './shared-read.js';

/** A schedule the test runs by hand, and a source whose reads the test completes by hand. */
function harness() {
  const scheduled: Array<() => void> = [];
  let value = 0;
  const reads: Array<{ startedAt: number; finish: () => void; fail: (e: Error) => void }> = [];
  const read = () =>
    new Promise<number>((resolve, reject) => {
      const startedAt = value;
      reads.push({ startedAt, finish: () => resolve(startedAt), fail: reject });
    });
  const get = sharedRead(read, (run) => scheduled.push(run));
  const tick = () => scheduled.splice(0).forEach((run) => run());
  return { get, tick, reads, bump: () => (value += 1) };
}

describe('sharedRead', () => {
  it('answers every caller of one turn with one read, made after they asked', async () => {
    const h = harness();
    const answers = [h.get(), h.get(), h.get()];
    expect(h.reads).toHaveLength(0); // nothing read before the turn ends
    h.tick();
    expect(h.reads).toHaveLength(1);
    h.reads[0]!.finish();
    expect(await Promise.all(answers)).toEqual([0, 0, 0]);
  });

  it('never answers a caller with a read that began before it asked', async () => {
    const h = harness();
    const early = h.get();
    h.tick(); // read 1 starts, seeing value 0
    h.bump(); // a revocation commits while read 1 is in flight…
    const late = h.get(); // …and then this decision begins
    h.reads[0]!.finish();
    expect(await early).toBe(0);
    h.tick(); // the late caller gets its own read
    expect(h.reads).toHaveLength(2);
    h.reads[1]!.finish();
    expect(await late).toBe(1);
  });

  it('fails every caller that shared a failed read, and reads again afterwards', async () => {
    const h = harness();
    const a = h.get();
    const b = h.get();
    h.tick();
    h.reads[0]!.fail(new Error('database gone'));
    await expect(a).rejects.toThrow('database gone');
    await expect(b).rejects.toThrow('database gone');
    const c = h.get();
    h.tick();
    h.reads[1]!.finish();
    expect(await c).toBe(0);
  });

  it('turns a read that throws synchronously into a rejection', async () => {
    const get = sharedRead<number>(() => {
      throw new Error('sync');
    }, (run) => run());
    await expect(get()).rejects.toThrow('sync');
  });
});
