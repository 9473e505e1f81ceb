import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '../oauth/verifier.js';
import type { Agent } from '../registry/types.js';
import { buildInput, CLASSIFICATION_RANKS, loggable } from './input.js';
import { replayInput, withoutDerivedTime } from './logged-input.js';

const word = fc.string({ minLength: 1, maxLength: 10 });
const agents = fc.record({
  id: word,
  clientId: word,
  name: word,
  purpose: word,
  owner: word,
  scopes: fc.array(fc.constantFrom('calendar:read', 'mail:send', 'admin', 'files:write'), { maxLength: 4 }),
  tools: fc.array(word, { maxLength: 3 }),
  dataClassification: fc.constantFrom('public', 'internal', 'confidential', 'restricted'),
  environment: fc.constantFrom('production', 'staging'),
  status: fc.constant('active'),
});
const requests = fc.record({
  action: word,
  tool: fc.oneof(word, fc.tuple(word, word).map(([a, b]) => `${a}:${b}`)),
  resource: fc.record({ type: word, id: word, owner: fc.option(word, { nil: undefined }), sensitivity: fc.option(fc.constantFrom('public', 'internal', 'secret-ish'), { nil: undefined }) }),
  context: fc.option(fc.dictionary(word, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), { nil: undefined }),
});
/** Any millisecond from 1970 to 2100: every weekday and hour. */
const times = fc.integer({ min: 0, max: 4_102_444_800_000 });

/** What the decision point logs (decision-point.ts: loggable, constants out, derived time out). */
function logged(input: Record<string, unknown>, nowMs: number): Record<string, unknown> {
  const { classification_ranks: _, ...rest } = input;
  return withoutDerivedTime(loggable(rest), nowMs) as Record<string, unknown>;
}

describe('the logged input and the input replay rebuilds', () => {
  it('replay rebuilds exactly the input the decision was evaluated with (fast-check over agents, tokens, requests, times)', () => {
    fc.assert(
      fc.property(agents, requests, times, fc.integer({ min: 60, max: 900 }), fc.boolean(), (agent, request, nowMs, ttl, approved) => {
        const iat = Math.floor(nowMs / 1000) - 10;
        const claims = { iss: 'i', sub: agent.id, aud: 'a', exp: iat + ttl, iat, jti: 'j', client_id: agent.clientId, scope: agent.scopes.join(' ') } as AccessTokenClaims;
        const input = buildInput(agent as unknown as Agent, claims, request, { nowMs, caller: { kind: 'agent', id: agent.id }, approval: { exists: approved, id: approved ? 'apr_1' : null } });
        const stored = logged(input, nowMs);
        // The log keeps no time: it follows from now_ms, logged beside the input.
        expect(stored).not.toHaveProperty('time');
        const rebuilt = replayInput(JSON.parse(JSON.stringify(stored)), nowMs, CLASSIFICATION_RANKS);
        // As JSON carries it: a context's -0 (fast-check makes some) is logged, like any JSON text, as 0.
        expect(loggable(rebuilt)).toEqual(JSON.parse(JSON.stringify(loggable(input))));
        // The time is exact (bigint nanoseconds), as at the decision.
        expect((rebuilt.time as { now_ns: bigint }).now_ns).toBe((input.time as { now_ns: bigint }).now_ns);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a time the decision-log policy changed, and replay uses it (with the exact now_ns)', () => {
    const nowMs = Date.UTC(2026, 0, 1, 9, 30);
    const input = { action: 'read', time: { hour_utc: 0, now_ns: 1, rfc3339: 'masked', weekday: 'Monday' } };
    expect(withoutDerivedTime(input, nowMs)).toBe(input);
    expect(replayInput(input, nowMs, {}).time).toEqual({ hour_utc: 0, now_ns: BigInt(nowMs) * 1_000_000n, rfc3339: 'masked', weekday: 'Monday' });
  });
});
