import { describe, expect, it } from 'vitest';
import { activatesAt, mayLeaveBundle, preparesAt, rotationStep } from './slot.js';

const HOUR = 3_600_000;
const ca = { notBefore: 0, notAfter: 6 * HOUR };

describe('CA rotation slots (pure: issued-at, not-after, now)', () => {
  it('prepares at half-life and activates at five sixths', () => {
    expect(preparesAt(ca)).toBe(3 * HOUR);
    expect(activatesAt(ca)).toBe(5 * HOUR);
    expect(rotationStep(ca, false, 3 * HOUR - 1)).toBe('keep');
    expect(rotationStep(ca, false, 3 * HOUR)).toBe('prepare');
    expect(rotationStep(ca, true, 3 * HOUR)).toBe('keep');
    expect(rotationStep(ca, true, 5 * HOUR - 1)).toBe('keep');
    expect(rotationStep(ca, true, 5 * HOUR)).toBe('activate');
  });

  it('never activates what was not prepared first', () => {
    expect(rotationStep(ca, false, 5 * HOUR)).toBe('prepare');
    expect(rotationStep(ca, false, 7 * HOUR)).toBe('prepare');
    expect(rotationStep(ca, true, 7 * HOUR)).toBe('activate');
  });

  it('starts from nothing: prepare, then activate', () => {
    expect(rotationStep(null, false, 0)).toBe('prepare');
    expect(rotationStep(null, true, 0)).toBe('activate');
  });

  it('keeps a retired CA until its last certificate expired', () => {
    expect(mayLeaveBundle(null, 10 * HOUR)).toBe(false);
    expect(mayLeaveBundle(2 * HOUR, 2 * HOUR - 1)).toBe(false);
    expect(mayLeaveBundle(2 * HOUR, 2 * HOUR)).toBe(true);
  });
});
