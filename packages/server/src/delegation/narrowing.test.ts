import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { narrow, type ParentGrant, type StepRequest } from './narrowing.js';
import { expand, pairCounts, reduction, uncovered, universeOf } from './permissions.js';
import { RULES } from './rules.js';

const SETTINGS = { maxDepth: 3, approvalDepth: 2, minimumReduction: 0.5 };
const POOL = ['calendar:read', 'calendar:write', 'calendar:*', 'calendar-events:read', 'calendar-events:*', 'email:read', 'email:send', 'email:*', 'read', 'admin', 'openid'];
const AUDIENCES = ['https://mandate.test', 'https://calendar.test', 'https://mail.test'];

describe('the narrowing measure', () => {
  it("works the seed's example: A calendar + email → B read-only calendar → C single event lookup", () => {
    const a = ['calendar:*', 'calendar-events:*', 'email:*'];
    const b = ['calendar:read', 'calendar-events:read'];
    const c = ['calendar-events:read'];
    expect(pairCounts(b, a)).toEqual({ child: 2, parent: 15 });
    expect(pairCounts(c, b)).toEqual({ child: 1, parent: 2 });
    expect(reduction(c, b)).toBe(0.5);
    expect(uncovered(b, a)).toEqual([]);
    expect(uncovered(['email:read'], b)).toEqual(['email:read']);
  });

  it('expands a bare action over every type, (other) included, so only a bare action covers it', () => {
    expect(uncovered(['read'], ['calendar:read', 'email:read'])).toEqual(['read']);
    expect(uncovered(['calendar:read'], ['read'])).toEqual([]);
    expect(uncovered(['calendar:delete'], ['calendar:read', 'calendar:write'])).toEqual(['calendar:delete']);
    expect(expand(['openid'], universeOf(['openid'])).size).toBe(1);
  });
});

interface Hop {
  actor: number;
  scopes: string[] | undefined;
  audience: number;
  ttl: number;
}

const hop = fc.record({
  actor: fc.integer({ min: 0, max: 5 }),
  scopes: fc.option(fc.subarray(POOL, { minLength: 0, maxLength: 4 }), { nil: undefined }),
  audience: fc.integer({ min: 0, max: 2 }),
  ttl: fc.integer({ min: 1, max: 900 }),
});

const chain = fc.record({
  registered: fc.array(fc.subarray(POOL, { minLength: 1 }), { minLength: 6, maxLength: 6 }),
  rootKind: fc.constantFrom<'user' | 'agent'>('user', 'agent'),
  rootScopes: fc.subarray(POOL, { minLength: 1 }),
  rootLife: fc.integer({ min: 1, max: 900 }),
  hops: fc.array(hop, { minLength: 1, maxLength: 5 }),
  elapsed: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 5, maxLength: 5 }),
});

describe('delegation chains (property, 10,000 generated chains)', () => {
  it('never grants beyond the root, the depth limit or the parent lifetime; every refusal names its rule', () => {
    let issued = 0;
    let refused = 0;
    fc.assert(
      fc.property(chain, (c) => {
        const now0 = 1_000_000;
        const root: ParentGrant = {
          kind: c.rootKind,
          subject: c.rootKind === 'user' ? 'user:john' : 'agent-root',
          scopes: c.rootKind === 'user' ? null : c.rootScopes,
          audiences: null,
          exp: now0 + c.rootLife,
          actors: [],
        };
        let parent = root;
        let now = now0;
        // What the root may do: for a user's token, the first actor's grant becomes the bound.
        let rootBound: readonly string[] | null = root.scopes;
        for (const [index, h] of c.hops.entries()) {
          now += c.elapsed[index] ?? 0;
          const request: StepRequest = {
            actor: { id: `agent-${h.actor}`, clientId: `client-${h.actor}`, scopes: c.registered[h.actor]!, ttlSeconds: h.ttl },
            scopes: h.scopes,
            audience: AUDIENCES[h.audience]!,
            audienceScopes: null,
            nowSeconds: now,
          };
          const step = narrow(parent, request, SETTINGS);
          if (!step.ok) {
            refused += 1;
            expect(Object.keys(RULES)).toContain(step.rule);
            expect(step.description.startsWith(`[${step.rule}] `)).toBe(true);
            return;
          }
          issued += 1;
          const exp = now + step.ttlSeconds;
          expect(step.depth).toBeLessThanOrEqual(SETTINGS.maxDepth);
          expect(step.needsApproval).toBe(step.depth > SETTINGS.approvalDepth);
          expect(exp).toBeLessThanOrEqual(parent.exp);
          expect(step.ttlSeconds).toBeGreaterThan(0);
          expect(uncovered(step.scopes, request.actor.scopes)).toEqual([]);
          if (parent.scopes !== null) {
            expect(uncovered(step.scopes, parent.scopes)).toEqual([]);
            const counts = pairCounts(step.scopes, parent.scopes);
            expect(counts.child).toBeLessThanOrEqual(counts.parent * (1 - SETTINGS.minimumReduction));
          }
          if (rootBound === null) rootBound = step.scopes;
          else expect(uncovered(step.scopes, rootBound)).toEqual([]);
          parent = {
            kind: 'agent',
            subject: root.subject,
            scopes: step.scopes,
            audiences: [request.audience],
            exp,
            actors: [...parent.actors, { sub: request.actor.id, client_id: request.actor.clientId }],
          };
        }
      }),
      { numRuns: 10_000 },
    );
    // The generator reaches both outcomes (a run that only refused would prove nothing).
    expect(issued).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(1_000);
  });
});
