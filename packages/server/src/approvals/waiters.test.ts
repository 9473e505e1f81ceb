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

  it('ends when the poll check sees a change', async () => {
    const waiters = new Waiters();
    let calls = 0;
    const parked = waiters.wait('a', { timeoutMs: 60_000, pollMs: 1, check: async () => ++calls >= 3 });
    await expect(parked).resolves.toBe('changed');
    expect(calls).toBe(3);
    expect(waiters.size).toBe(0);
  });

  it('times out', async () => {
    const waiters = new Waiters();
    await expect(waiters.wait('a', { timeoutMs: 1 })).resolves.toBe('timeout');
    expect(waiters.size).toBe(0);
  });
});
