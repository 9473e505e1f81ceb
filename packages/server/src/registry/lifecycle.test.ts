import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../shared/errors.js';
import { AGENT_STATUSES, allowedTransitions, assertTransition, canTransition, mayObtainCredentials } from './lifecycle.js';

describe('agent lifecycle', () => {
  const legal: Array<[string, string]> = [
    ['active', 'suspended'],
    ['suspended', 'active'],
    ['active', 'deprecated'],
    ['suspended', 'deprecated'],
    ['deprecated', 'decommissioned'],
  ];

  it('allows exactly the transitions of the table', () => {
    for (const from of AGENT_STATUSES) {
      for (const to of AGENT_STATUSES) {
        const expected = legal.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it('names the allowed transitions in the 409 error', () => {
    expect(() => assertTransition('deprecated', 'active')).toThrow(IllegalTransitionError);
    try {
      assertTransition('active', 'decommissioned');
    } catch (error) {
      const e = error as IllegalTransitionError;
      expect(e.status).toBe(409);
      expect(e.code).toBe('illegal_transition');
      expect(e.message).toContain('suspended, deprecated');
      expect(e.details).toEqual({ from: 'active', to: 'decommissioned', allowed: ['suspended', 'deprecated'] });
    }
    expect(() => assertTransition('decommissioned', 'active')).toThrow(/none \(terminal state\)/);
    expect(allowedTransitions('decommissioned')).toEqual([]);
  });

  it('lets only active and deprecated agents obtain credentials', () => {
    expect(AGENT_STATUSES.filter(mayObtainCredentials)).toEqual(['active', 'deprecated']);
  });
});
