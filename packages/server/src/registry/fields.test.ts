import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkAgentPatch, checkNewAgent, encodeFields, fieldChanges, registrationDetails } from './fields.js';
import { agentFromRow, newAgentRow } from './record.js';

const TTL = { min: 300, max: 900 };
const input = {
  name: ' Cal ',
  purpose: 'books meetings',
  owner: 'Alice@Example.com',
  scopes: ['calendar.read', 'calendar.read'],
  tools: ['google-calendar-api:events.list'],
  dataClassification: 'internal',
  environment: 'production',
};

describe('the mutable-field table', () => {
  it('checks a registration field by field and fills the optional ones with their defaults', () => {
    expect(checkNewAgent(input, TTL)).toEqual({
      name: 'Cal',
      purpose: 'books meetings',
      owner: 'alice@example.com',
      scopes: ['calendar.read'],
      tools: ['google-calendar-api:events.list'],
      dataClassification: 'internal',
      environment: 'production',
      tokenTtlSeconds: null,
      jwks: null,
      tlsClientAuthSubjectDn: null,
      metadata: {},
    });
  });

  it('keeps to the fields a patch gives and names the first bad one in the same order as registration', () => {
    expect(checkAgentPatch({ tokenTtlSeconds: 600, metadata: null }, TTL)).toEqual({ tokenTtlSeconds: 600, metadata: {} });
    const bad = { ...input, purpose: '', tokenTtlSeconds: 1 };
    expect(() => checkNewAgent(bad, TTL)).toThrow(/^purpose /);
    expect(() => checkAgentPatch({ purpose: '', tokenTtlSeconds: 1 }, TTL)).toThrow(/^purpose /);
  });

  it('stores lists and objects as JSON text, and audits key sets by their kids', () => {
    const jwk: Record<string, unknown> = { ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }), kid: 'k1' };
    const fields = checkNewAgent({ ...input, jwks: { keys: [jwk] } }, TTL);
    expect(fields.jwks?.keys[0]).toMatchObject({ kid: 'k1', x: jwk.x });
    expect(encodeFields(fields)).toMatchObject({ scopes: '["calendar.read"]', metadata: '{}', jwks: JSON.stringify(fields.jwks), token_ttl_seconds: null });
    expect(registrationDetails(fields)).toMatchObject({ data_classification: 'internal', jwks: { kids: ['k1'] } });
  });

  it('reports only what a patch really changes', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const row = newAgentRow('agent-cal-prod-001', checkNewAgent(input, TTL), 'sha256:x', at, { kind: 'system', id: 'test' });
    const current = agentFromRow(row, Date.parse(at), 90);
    const changes = fieldChanges(row, current, checkAgentPatch({ name: 'Cal', scopes: ['calendar.write'] }, TTL));
    expect(changes).toEqual({ set: { scopes: '["calendar.write"]' }, before: { scopes: ['calendar.read'] }, after: { scopes: ['calendar.write'] } });
  });
});
