import { RSet } from '@mandate/rego';
import { describe, expect, it } from 'vitest';
import { decide, PolicyShapeError, readResult } from './outcome.js';

describe('decide', () => {
  const none = { exists: false, refused: null };
  it('default deny: nothing allowed is a deny', () => {
    expect(decide(readResult({}), none)).toEqual({ decision: 'deny', reasons: ['default_deny'] });
  });
  it('any deny wins over allow, with its reasons (boolean or set)', () => {
    expect(decide(readResult({ allow: true, deny: new RSet(['b', 'a']) }), none)).toEqual({ decision: 'deny', reasons: ['a', 'b'] });
    expect(decide(readResult({ allow: true, deny: true }), none)).toEqual({ decision: 'deny', reasons: ['denied_by_policy'] });
    expect(decide(readResult({ allow: true, deny: new RSet([]) }), none).decision).toBe('allow');
  });
  it('require_approval needs a valid approval; a refused approval denies', () => {
    const r = readResult({ allow: true, requireApproval: new RSet(['delete']) });
    expect(decide(r, none)).toEqual({ decision: 'approval_required', reasons: ['delete'] });
    expect(decide(r, { exists: true, refused: null }).decision).toBe('allow');
    expect(decide(r, { exists: false, refused: 'used' })).toEqual({ decision: 'deny', reasons: ['approval_used'] });
  });
  it('rejects rule values of the wrong shape (fails closed upstream)', () => {
    expect(() => readResult({ deny: 'yes' })).toThrow(PolicyShapeError);
  });
});
