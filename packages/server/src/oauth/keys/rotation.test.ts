import { describe, expect, it } from 'vitest';
import { planKeys, type RotationPolicy } from './rotation.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const policy: RotationPolicy = { rotationMs: 30 * DAY, publishDelayMs: 5 * MIN, retainMs: 15 * MIN + 30_000 };
const t0 = Date.UTC(2026, 0, 1);

describe('planKeys', () => {
  it('creates a first key that signs at once', () => {
    expect(planKeys([], t0, policy)).toMatchObject({ signing: null, create: { activatesAt: t0 }, removable: [] });
  });

  it('does nothing while the active key is young', () => {
    const plan = planKeys([{ kid: 'a', activatesAt: t0 }], t0 + DAY, policy);
    expect(plan).toMatchObject({ signing: 'a', create: null, activateNow: null });
    expect(plan.published).toEqual([{ kid: 'a', state: 'active', activatesAt: t0, retiresAt: null, removeAt: null }]);
  });

  it('publishes the next key ahead of the scheduled rotation', () => {
    const now = t0 + 30 * DAY - 5 * MIN;
    expect(planKeys([{ kid: 'a', activatesAt: t0 }], now, policy).create).toEqual({ activatesAt: now + 5 * MIN });
    expect(planKeys([{ kid: 'a', activatesAt: t0 }], now - 1, policy).create).toBeNull();
  });

  it('keeps signing with the old key while the new one is pending, publishing both', () => {
    const keys = [
      { kid: 'a', activatesAt: t0 },
      { kid: 'b', activatesAt: t0 + 10 * MIN },
    ];
    const plan = planKeys(keys, t0 + 9 * MIN, policy);
    expect(plan.signing).toBe('a');
    expect(plan.published.map((k) => [k.kid, k.state])).toEqual([
      ['a', 'active'],
      ['b', 'pending'],
    ]);
    expect(plan.create).toBeNull();
  });

  it('switches at activation and keeps the retired key published until its tokens expired', () => {
    const keys = [
      { kid: 'a', activatesAt: t0 },
      { kid: 'b', activatesAt: t0 + 10 * MIN },
    ];
    const after = planKeys(keys, t0 + 10 * MIN, policy);
    expect(after.signing).toBe('b');
    expect(after.published.find((k) => k.kid === 'a')).toMatchObject({ state: 'retired', removeAt: t0 + 10 * MIN + policy.retainMs });
    expect(planKeys(keys, t0 + 10 * MIN + policy.retainMs - 1, policy).removable).toEqual([]);
    const later = planKeys(keys, t0 + 10 * MIN + policy.retainMs, policy);
    expect(later.removable).toEqual(['a']);
    expect(later.published.map((k) => k.kid)).toEqual(['b']);
  });

  it('rotates on demand after the publish delay, or at once when immediate', () => {
    const keys = [{ kid: 'a', activatesAt: t0 }];
    expect(planKeys(keys, t0 + MIN, policy, { rotateNow: true }).create).toEqual({ activatesAt: t0 + MIN + 5 * MIN });
    expect(planKeys(keys, t0 + MIN, policy, { rotateNow: true, immediate: true }).create).toEqual({ activatesAt: t0 + MIN });
  });

  it('never stacks a second pending key; immediate rotation activates the pending one', () => {
    const keys = [
      { kid: 'a', activatesAt: t0 },
      { kid: 'b', activatesAt: t0 + 10 * MIN },
    ];
    expect(planKeys(keys, t0 + MIN, policy, { rotateNow: true })).toMatchObject({ create: null, activateNow: null });
    expect(planKeys(keys, t0 + MIN, policy, { rotateNow: true, immediate: true })).toMatchObject({ create: null, activateNow: 'b' });
  });
});
