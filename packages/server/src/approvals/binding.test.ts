import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bindingDocument, bindingHash } from './binding.js';
import type { BoundRequest } from './types.js';

const base: BoundRequest = {
  agentId: 'agt_1',
  action: 'delete',
  tool: 'files',
  resource: { type: 'file', id: 'reports/q3.pdf', owner: 'alice@example.com', sensitivity: 'confidential' },
  onBehalfOf: 'alice@example.com',
  requestContext: { amount: '150', payee: { iban: 'DE02', name: 'Acme' } },
  chain: [{ sub: 'alice@example.com' }, { sub: 'agt_1', client_id: 'mcl_1' }],
};

describe('binding hash', () => {
  it('is SHA-256 over the RFC 8785 canonical JSON (sorted keys, no spaces)', () => {
    const expected =
      '{"action":"delete","agent_id":"agt_1","chain":[{"sub":"alice@example.com"},{"client_id":"mcl_1","sub":"agt_1"}],' +
      '"context":{"amount":"150","payee":{"iban":"DE02","name":"Acme"}},"on_behalf_of":"alice@example.com",' +
      '"resource":{"id":"reports/q3.pdf","owner":"alice@example.com","sensitivity":"confidential","type":"file"},"tool":"files","v":2}';
    expect(bindingHash(base)).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('does not depend on key order', () => {
    const reordered: BoundRequest = {
      chain: [{ sub: 'alice@example.com' }, { client_id: 'mcl_1', sub: 'agt_1' }],
      requestContext: { payee: { name: 'Acme', iban: 'DE02' }, amount: '150' },
      onBehalfOf: 'alice@example.com',
      tool: 'files',
      resource: { sensitivity: 'confidential', owner: 'alice@example.com', id: 'reports/q3.pdf', type: 'file' },
      action: 'delete',
      agentId: 'agt_1',
    };
    expect(bindingHash(reordered)).toBe(bindingHash(base));
  });

  it('changes with each bound field', () => {
    const variants: BoundRequest[] = [
      { ...base, agentId: 'agt_2' },
      { ...base, action: 'read' },
      { ...base, tool: 'shell' },
      { ...base, resource: { ...base.resource, id: 'reports/q4.pdf' } },
      { ...base, resource: { ...base.resource, type: 'folder' } },
      { ...base, resource: { ...base.resource, owner: 'bob@example.com' } },
      { ...base, resource: { ...base.resource, sensitivity: 'public' } },
      { ...base, onBehalfOf: 'bob@example.com' },
      { ...base, onBehalfOf: null },
      // The context, top level and nested, added or removed members, and null vs absent.
      { ...base, requestContext: { ...base.requestContext, amount: '1000000' } },
      { ...base, requestContext: { ...base.requestContext, amount: 150 } },
      { ...base, requestContext: { ...base.requestContext, memo: 'x' } },
      { ...base, requestContext: { ...base.requestContext, memo: null } },
      { ...base, requestContext: { amount: '150' } },
      { ...base, requestContext: { ...base.requestContext, payee: { iban: 'GB33', name: 'Acme' } } },
      { ...base, requestContext: {} },
      // The delegation chain: another link, another order, another client.
      { ...base, chain: [{ sub: 'bob@example.com' }, { sub: 'agt_1', client_id: 'mcl_1' }] },
      { ...base, chain: [{ sub: 'agt_1', client_id: 'mcl_1' }, { sub: 'alice@example.com' }] },
      { ...base, chain: [{ sub: 'alice@example.com' }, { sub: 'agt_0' }, { sub: 'agt_1', client_id: 'mcl_1' }] },
      { ...base, chain: [{ sub: 'alice@example.com' }, { sub: 'agt_1', client_id: 'mcl_2' }] },
    ];
    const hashes = new Set([bindingHash(base), ...variants.map(bindingHash)]);
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('treats absent and null optional members alike', () => {
    const bare: BoundRequest = { agentId: 'a', action: 'x', tool: 't', resource: { type: 'r', id: '1' } };
    const nulls: BoundRequest = { ...bare, resource: { type: 'r', id: '1', owner: undefined, sensitivity: null as unknown as string }, onBehalfOf: null };
    expect(bindingHash(nulls)).toBe(bindingHash(bare));
    expect(bindingDocument(bare)).toEqual({ v: 2, agent_id: 'a', action: 'x', tool: 't', resource: { type: 'r', id: '1' }, on_behalf_of: null, context: {}, chain: [{ sub: 'a' }] });
    // An absent context is the empty one the policy sees; an absent chain is the agent alone.
    expect(bindingHash({ ...bare, requestContext: {}, chain: [{ sub: 'a' }] })).toBe(bindingHash(bare));
  });
});
