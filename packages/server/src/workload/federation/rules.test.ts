import { describe, expect, it } from 'vitest';
import { checkRules, mapClaims } from './rules.js';

const k8s = (namespace: string, name: string) => ({ sub: `system:serviceaccount:${namespace}:${name}`, 'kubernetes.io': { namespace, serviceaccount: { name } } });

describe('workload federation mapping rules', () => {
  const rules = [
    { agent_id: 'agt_billing', namespace: 'prod', service_account: 'billing' },
    { agent_id: 'agt_svid', spiffe_id: 'spiffe://corp/ns/prod/sa/x' },
  ];

  it('maps a token to exactly one agent by every field of a rule', () => {
    expect(mapClaims(rules, k8s('prod', 'billing'))).toEqual({ agentId: 'agt_billing' });
    expect(mapClaims(rules, { sub: 'spiffe://corp/ns/prod/sa/x' })).toEqual({ agentId: 'agt_svid' });
  });

  it('refuses the unmapped and the ambiguous', () => {
    expect(mapClaims(rules, k8s('prod', 'other'))).toHaveProperty('refused');
    expect(mapClaims(rules, k8s('staging', 'billing'))).toHaveProperty('refused');
    const twice = [...rules, { agent_id: 'agt_other', namespace: 'prod' }];
    expect(mapClaims(twice, k8s('prod', 'billing'))).toEqual({ refused: 'the token matches rules for more than one agent' });
  });

  it('refuses a rule that matches everything, and too many or no rules', () => {
    expect(() => checkRules([{ agent_id: 'agt_x' }])).toThrow(/rules\[0\]/);
    expect(() => checkRules([])).toThrow(/1 to 100/);
  });
});
