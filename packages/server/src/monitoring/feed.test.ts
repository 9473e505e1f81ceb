import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../audit/index.js';
import { monitorEventOf } from './feed.js';

function entry(type: string, details: Record<string, unknown>, agentId: string | null = 'agent-a'): AuditEntry {
  return { seq: 41, time: '2026-12-02T09:00:00.000Z', type, actor: { kind: 'system', id: 'x' }, subject: null, agentId, action: 'a', outcome: 'success', details, prevHash: '', hash: '' };
}

const decisionInput = (delegation: Record<string, unknown>) => ({
  decision: 'deny',
  input: { tool: 'files-api:files.get', agent: { tools: ['files-api'] }, user: { id: 'jane@example.com' }, resource: { owner: 'bob@example.com' }, delegation },
});

describe('audit entries → monitor events', () => {
  it('reads a decision from the logged input, the delegation signal from input.delegation.depth', () => {
    expect(monitorEventOf(entry('policy.decision', decisionInput({ delegated: true, depth: 2 })))).toEqual({
      kind: 'decision',
      agentId: 'agent-a',
      atMs: Date.UTC(2026, 11, 2, 9),
      seq: 41,
      decision: 'deny',
      tool: 'files-api:files.get',
      declaredTools: ['files-api'],
      actingFor: 'jane@example.com',
      resourceOwner: 'bob@example.com',
      depth: 2,
    });
    // Without a depth (or a malformed one) the event simply carries none.
    expect(monitorEventOf(entry('policy.decision', decisionInput({})))).toMatchObject({ depth: undefined });
    expect(monitorEventOf(entry('policy.decision', decisionInput({ depth: -1 })))).toMatchObject({ depth: undefined });
    // A decision on an invalid token has no agent to judge.
    expect(monitorEventOf(entry('policy.decision', decisionInput({}), null))).toBeNull();
  });

  it('counts tokens by the entry’s count and reads failed authentications by client_id', () => {
    expect(monitorEventOf(entry('oauth.token.issued', { scope: 'files.read files.write', count: 50 }))).toMatchObject({ kind: 'token', count: 50, scopes: ['files.read', 'files.write'] });
    expect(monitorEventOf(entry('oauth.token.refused', { error: 'invalid_client', client_id: 'agent-b' }, null))).toMatchObject({ kind: 'auth_failure', agentId: 'agent-b' });
    expect(monitorEventOf(entry('oauth.token.refused', { error: 'invalid_scope', client_id: 'agent-b' }, null))).toBeNull();
    expect(monitorEventOf(entry('registry.agent.registered', {}))).toBeNull();
  });
});
