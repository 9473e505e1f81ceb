import { compileModules, parseJSON, RObject, type Value } from '@mandate/rego';
import { describe, expect, it } from 'vitest';
import { NOW_NS, SEED_POLICY_V0, SEED_POLICY_V1 } from './seed-policy.js';

/** Inputs as JSON text so the nanosecond expiry keeps its exact value. */
function input(opts: { action?: string; owner?: string; purpose?: string; expiry?: string; approval?: boolean; admin?: boolean } = {}): Value {
  const approval = opts.approval === undefined ? '' : `, "human_approval": {"exists": ${opts.approval}}`;
  return parseJSON(`{
    "agent": {"purpose": ${JSON.stringify(opts.purpose ?? 'calendar-management')}, "delegating_user": "alice",
              "token_expiry_ns": ${opts.expiry ?? '1767229200000000000'}, "has_admin_scope": ${opts.admin ?? false}},
    "action": ${JSON.stringify(opts.action ?? 'read')},
    "resource": {"type": "calendar-events", "owner": ${JSON.stringify(opts.owner ?? 'alice')}}${approval}
  }`);
}

for (const [syntax, text, version] of [
  ['v1', SEED_POLICY_V1, 'v1'],
  ['v0', SEED_POLICY_V0, 'v0'],
] as const) {
  describe(`seed policy (${syntax} syntax)`, () => {
    const policy = compileModules({ 'authz.rego': text }, { regoVersion: version });
    const decide = (inp: Value): { allow: Value | undefined; deny: Value | undefined } => ({
      allow: policy.evaluate('data.mandate.authz.allow', { input: inp, nowNs: NOW_NS }),
      deny: policy.evaluate('data.mandate.authz.deny', { input: inp, nowNs: NOW_NS }),
    });

    it('allows the owner-delegated calendar read before the token expires', () => {
      expect(decide(input())).toEqual({ allow: true, deny: undefined });
    });

    it('does not allow once the token has expired (time.now_ns uses the injected clock)', () => {
      expect(decide(input({ expiry: String(NOW_NS) })).allow).toBe(false);
      expect(decide(input({ expiry: String(NOW_NS + 1n) })).allow).toBe(true);
    });

    it('does not allow another purpose or action (default false, not undefined)', () => {
      expect(decide(input({ purpose: 'email' })).allow).toBe(false);
      expect(decide(input({ action: 'write' })).allow).toBe(false);
    });

    it('denies a delete without human approval, not with it', () => {
      expect(decide(input({ action: 'delete' }))).toEqual({ allow: false, deny: true });
      expect(decide(input({ action: 'delete', approval: true })).deny).toBeUndefined();
    });

    it('denies cross-user access unless the agent has the admin scope', () => {
      expect(decide(input({ owner: 'bob' }))).toEqual({ allow: false, deny: true });
      expect(decide(input({ owner: 'bob', admin: true })).deny).toBeUndefined();
    });

    it('answers the whole package document', () => {
      const doc = policy.evaluate('data.mandate.authz', { input: input({ action: 'delete' }), nowNs: NOW_NS });
      expect(doc).toBeInstanceOf(RObject);
      expect((doc as RObject).get('allow')).toBe(false);
      expect((doc as RObject).get('deny')).toBe(true);
    });
  });
}
