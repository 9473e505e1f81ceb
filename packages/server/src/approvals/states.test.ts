import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../shared/errors.js';
import { assertMove, canMove, effectiveStatus, isFinal } from './states.js';
import { APPROVAL_STATUSES } from './types.js';

describe('approval states', () => {
  it('allows only the lifecycle moves', () => {
    expect(canMove('pending', 'approved')).toBe(true);
    expect(canMove('pending', 'denied')).toBe(true);
    expect(canMove('approved', 'used')).toBe(true);
    expect(canMove('approved', 'expired')).toBe(true);
    expect(canMove('pending', 'used')).toBe(false);
    expect(canMove('approved', 'denied')).toBe(false);
    expect(canMove('denied', 'approved')).toBe(false);
    expect(canMove('used', 'approved')).toBe(false);
    for (const final of ['denied', 'expired', 'used'] as const) {
      expect(isFinal(final)).toBe(true);
      for (const to of APPROVAL_STATUSES) expect(canMove(final, to)).toBe(false);
    }
  });

  it('names the allowed moves when refusing one', () => {
    expect(() => assertMove('used', 'approved')).toThrow(IllegalTransitionError);
    expect(() => assertMove('approved', 'denied')).toThrow(/allowed from 'approved': used, expired/);
  });

  it('reads pending and approved requests past their expiry as expired', () => {
    expect(effectiveStatus('pending', 1_000, 999)).toBe('pending');
    expect(effectiveStatus('pending', 1_000, 1_000)).toBe('expired');
    expect(effectiveStatus('approved', 1_000, 5_000)).toBe('expired');
    expect(effectiveStatus('denied', 1_000, 5_000)).toBe('denied');
    expect(effectiveStatus('used', 1_000, 5_000)).toBe('used');
  });
});
