import { describe, expect, it } from 'vitest';
import { Waiters } from './waiters.js';

// Timeouts here are long (60 s): each test ends its wait by another route, never by sleeping.
describe('waiters', () => {
  it('wakes a parked wait on notify and forgets it', async () => {
    const waiters = new Waiters();
    const parked = waiters.wait('a', { timeoutMs: 60_000 });
    expect(waiters.size).toBe(1);
    waiters.notify('b');
    expect(waiters.size).toBe(1);
    waiters.notify('a');
    await expect(parked).resolves.toBe('notified');
    expect(waiters.size).toBe(0);
  });

  it('ends on abort and releases the waiter', async () => {
    const waiters = new Waiters();
    const controller = new AbortController();
    const parked = waiters.wait('a', { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(parked).resolves.toBe('aborted');
    expect(waiters.size).toBe(0);
    await expect(waiters.wait('a', { timeoutMs: 60_000, signal: controller.signal })).resolves.toBe('aborted');
  });

  it('lists the ids with parked waits', async () => {
    const waiters = new Waiters();
    const a1 = waiters.wait('a', { timeoutMs: 60_000 });
    const a2 = waiters.wait('a', { timeoutMs: 60_000 });
    const b = waiters.wait('b', { timeoutMs: 60_000 });
    expect(waiters.ids().sort()).toEqual(['a', 'b']);
    expect(waiters.size).toBe(3);
    waiters.notifyAll();
    await expect(Promise.all([a1, a2, b])).resolves.toEqual(['notified', 'notified', 'notified']);
    expect(waiters.ids()).toEqual([]);
  });

  it('times out', async () => {
    const waiters = new Waiters();
    await expect(waiters.wait('a', { timeoutMs: 1 })).resolves.toBe('timeout');
    expect(waiters.size).toBe(0);
  });
});
