/** Input conversion for the engine: deep-frozen members (per-token parts) are converted once and shared. */
import { compileModules, fromJSON, RObject, toJSON } from '@mandate/rego';
import { describe, expect, it } from 'vitest';
import { evaluatePackage, inputValue } from './package-eval.js';

const deepFrozen = <T>(value: T): T => {
  if (value !== null && typeof value === 'object') {
    for (const member of Object.values(value)) deepFrozen(member);
    Object.freeze(value);
  }
  return value;
};
const limits = { maxSteps: 100_000, timeoutMs: 1_000 };
const policy = {
  prepared: compileModules({
    'p.rego': `package p
allow if { input.agent.scopes[_] == "calendar:read"; input.action == "read" }
deny contains "nested" if input.agent.meta.flag == true
`,
  }),
  data: new RObject(),
};

describe('inputValue', () => {
  it('converts a deep-frozen member once and shares it between inputs; the rest as it stands', () => {
    const agent = deepFrozen({ id: 'a-1', scopes: ['calendar:read'], meta: { flag: false }, expiry_ns: 12n });
    const first = inputValue({ action: 'read', agent }) as RObject;
    const second = inputValue({ action: 'write', agent }) as RObject;
    expect(first.get('agent')).toBe(second.get('agent'));
    expect(first.get('action')).toBe('read');
    expect(second.get('action')).toBe('write');
    // The same value fromJSON makes, member for member.
    expect(toJSON(first)).toBe(toJSON(fromJSON({ action: 'read', agent })));
    expect(toJSON(second)).toBe(toJSON(fromJSON({ action: 'write', agent })));
  });

  it('converts again what is frozen only on top (its insides can change)', () => {
    const meta = { flag: false };
    const agent = Object.freeze({ id: 'a-1', scopes: ['calendar:read'], meta });
    const before = evaluatePackage(policy, 'p', { action: 'read', agent }, 0n, limits);
    expect(before.allow).toBe(true);
    expect(before.denied).toBe(false);
    meta.flag = true;
    const after = evaluatePackage(policy, 'p', { action: 'read', agent }, 0n, limits);
    expect(after.denyReasons).toEqual(["nested"]);
    expect((inputValue({ agent }) as RObject).get('agent')).not.toBe((inputValue({ agent }) as RObject).get('agent'));
  });

  it('decides the same for shared and fresh members', () => {
    const agent = deepFrozen({ id: 'a-1', scopes: ['calendar:read'], meta: { flag: true } });
    for (const action of ['read', 'write', 'read']) {
      const shared = evaluatePackage(policy, 'p', { action, agent }, 0n, limits);
      const fresh = evaluatePackage(policy, 'p', { action, agent: structuredClone(agent) }, 0n, limits);
      expect(shared).toEqual(fresh);
    }
  });
});
