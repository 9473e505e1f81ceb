import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH, hashEntry } from './hash.js';
import type { AuditEntry } from './types.js';

/** docs/audit.md's definition, computed the way its independent verifier does. */
function documentedHash(fields: Record<string, unknown>): string {
  return createHash('sha256').update(String(fields.prev_hash)).update('\n').update(canonicalize(fields)!).digest('hex');
}

const exportLine = (e: Omit<AuditEntry, 'hash'>) => ({
  seq: e.seq, time: e.time, type: e.type, actor: e.actor, subject: e.subject, agent_id: e.agentId,
  action: e.action, outcome: e.outcome, details: e.details, prev_hash: e.prevHash,
});

const text = fc.string({ unit: fc.integer({ min: 0x20, max: 0xffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCharCode(c)), maxLength: 20 });
const entry: fc.Arbitrary<Omit<AuditEntry, 'hash'>> = fc.record({
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  time: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  type: text,
  actor: fc.oneof(
    fc.record({ kind: fc.constant('operator' as const), id: text, roles: fc.array(text, { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('agent' as const), id: text, onBehalfOf: fc.option(text, { nil: undefined }), chain: fc.array(fc.record({ sub: text, client_id: text }, { requiredKeys: ['sub'] }), { maxLength: 3 }) }),
    fc.record({ kind: fc.constantFrom('system' as const, 'anonymous' as const), id: text }),
  ),
  subject: fc.option(text, { nil: null }),
  agentId: fc.option(text, { nil: null }),
  action: text,
  outcome: fc.constantFrom('success' as const, 'failure' as const, 'denied' as const),
  details: fc.dictionary(text, fc.jsonValue(), { maxKeys: 8 }),
  prevHash: fc.oneof(fc.constant(GENESIS_HASH), fc.stringMatching(/^[0-9a-f]{64}$/)),
});

describe('audit entry hash', () => {
  it('is SHA-256(prev_hash + "\\n" + canonicalize(export line without hash)), as docs/audit.md defines it', () => {
    fc.assert(
      fc.property(entry, (e) => {
        expect(entryHash(e)).toBe(documentedHash(exportLine(e)));
      }),
      { numRuns: 1000 },
    );
  });

  it('returns actor and details as canonical JSON that parses back to the same values', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const hashed = hashEntry(e);
        expect(hashed.actorJson).toBe(canonicalize(e.actor));
        expect(hashed.detailsJson).toBe(canonicalize(e.details));
        expect(JSON.parse(hashed.detailsJson)).toEqual(JSON.parse(JSON.stringify(e.details)));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves an undefined field out, as canonicalize does', () => {
    const e = { seq: 3, time: '2026-01-01T00:00:00.000Z', type: 't', actor: { kind: 'system', id: 's' }, subject: undefined, agentId: null, action: 'a', outcome: 'success', details: {}, prevHash: GENESIS_HASH } as unknown as Omit<AuditEntry, 'hash'>;
    expect(entryHash(e)).toBe(documentedHash(exportLine(e)));
  });

  it('changes when any field changes', () => {
    const e: Omit<AuditEntry, 'hash'> = { seq: 1, time: '2026-01-01T00:00:00.000Z', type: 'policy.decision', actor: { kind: 'agent', id: 'a' }, subject: 's', agentId: 'a', action: 'read', outcome: 'success', details: { n: 1 }, prevHash: GENESIS_HASH };
    const base = entryHash(e);
    expect(entryHash({ ...e, details: { n: 2 } })).not.toBe(base);
    expect(entryHash({ ...e, subject: null })).not.toBe(base);
    expect(entryHash({ ...e, seq: 2 })).not.toBe(base);
  });
});
