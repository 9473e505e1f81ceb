import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '../oauth/verifier.js';
import type { Agent } from '../registry/types.js';
import { canonicalJson, isCheckedFrozen } from '../audit/canonical.js';
import { actorChain, buildInput, checkInputLimits, delegatingUser, delegationDepth, loggable } from './input.js';

const agent = {
  id: 'agent-cal-001',
  clientId: 'mcl_cal',
  name: 'calendar bot',
  purpose: 'calendar-management',
  owner: 'owner@example.com',
  scopes: ['calendar:read', 'admin'],
  tools: ['google-calendar-api'],
  dataClassification: 'confidential',
  environment: 'production',
  status: 'active',
} as unknown as Agent;

const claims = (extra: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  iss: 'http://mandate',
  sub: agent.id,
  aud: 'http://mandate',
  exp: 1_767_261_000,
  iat: 1_767_260_400,
  jti: 'j1',
  client_id: agent.clientId,
  scope: 'calendar:read admin',
  ...extra,
});

const request = { action: 'read', tool: 'google-calendar-api:events.list', resource: { type: 'calendar', id: 'primary', owner: 'alice@example.com', sensitivity: 'internal' } };
const env = { nowMs: Date.UTC(2026, 0, 1, 9, 30), caller: { kind: 'agent' as const, id: agent.id }, approval: { exists: false, id: null } };

describe('buildInput', () => {
  it('without act: depth 0, the agent alone in the chain, its owner as the delegating user', () => {
    const input = buildInput(agent, claims(), request, env) as any;
    expect(input.delegation).toEqual({
      delegated: false,
      depth: 0,
      chain: [{ sub: agent.id, client_id: agent.clientId }],
      root_user: 'owner@example.com',
      root_issuer: null,
      actors: [],
      chain_id: null,
    });
    expect(input.user).toEqual({ id: 'owner@example.com', source: 'agent_owner' });
    expect(input.agent.delegating_user).toBe('owner@example.com');
  });

  it('with nested act: the user is the subject, the chain reads from the user down, depth counts actors', () => {
    const delegated = claims({ sub: 'alice@example.com', act: { sub: agent.id, client_id: agent.clientId, act: { sub: 'agent-parent', client_id: 'mcl_parent' } } });
    const input = buildInput(agent, delegated, request, env) as any;
    expect(input.user).toEqual({ id: 'alice@example.com', source: 'delegation' });
    expect(input.delegation.depth).toBe(2);
    expect(input.delegation.chain).toEqual([{ sub: 'alice@example.com' }, { sub: 'agent-parent', client_id: 'mcl_parent' }, { sub: agent.id, client_id: agent.clientId }]);
    expect(delegationDepth({ act: { sub: 'a', act: { sub: 'b', act: { sub: 'c' } } } })).toBe(3);
  });

  it('carries the chain from the delegation claim: root user and issuer, actors outermost first, chain id', () => {
    const delegated = claims({
      sub: 'alice@example.com',
      act: { sub: agent.id, client_id: agent.clientId, act: { sub: 'agent-parent', client_id: 'mcl_parent' } },
      delegation: { depth: 2, chain_id: 'dch_1', parents: ['j0'], root: { sub: 'alice@example.com', iss: 'https://idp.example' } },
    });
    const input = buildInput(agent, delegated, request, env) as any;
    expect(input.delegation).toMatchObject({
      depth: 2,
      root_user: 'alice@example.com',
      root_issuer: 'https://idp.example',
      chain_id: 'dch_1',
      actors: [{ sub: 'agent-parent', client_id: 'mcl_parent' }, { sub: agent.id, client_id: agent.clientId }],
    });
  });

  it('carries every ABAC attribute with exact nanosecond times and ranks', () => {
    const input = buildInput(agent, claims(), request, env) as any;
    expect(input).toMatchObject({
      action: 'read',
      tool: 'google-calendar-api:events.list',
      tool_api: 'google-calendar-api',
      tool_operation: 'events.list',
      resource: { type: 'calendar', id: 'primary', owner: 'alice@example.com', sensitivity: 'internal', sensitivity_rank: 1 },
      agent: { id: agent.id, purpose: 'calendar-management', classification: 'confidential', classification_rank: 2, status: 'active', tools: ['google-calendar-api'], scopes: ['calendar:read', 'admin'], has_admin_scope: true },
      token: { scopes: ['calendar:read', 'admin'], expiry_ns: 1_767_261_000_000_000_000n },
      time: { now_ns: BigInt(env.nowMs) * 1_000_000n, weekday: 'Thursday', hour_utc: 9 },
      classification_ranks: { public: 0, internal: 1, confidential: 2, restricted: 3 },
    });
    expect(loggable(input)).toMatchObject({ token: { expiry_ns: 1_767_261_000_000_000_000 } });
  });

  it('gives the decision log a copy with keys in sorted (RFC 8785) order at every level, equal in content', () => {
    const input = buildInput(agent, claims(), { ...request, context: { zeta: 1, alpha: { b: 2, a: [{ y: 1, x: 2 }] } } }, env);
    const logged = loggable(input);
    const unsorted: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}[${i}]`));
      else if (value !== null && typeof value === 'object') {
        const keys = Object.keys(value);
        if (keys.join('\u0000') !== [...keys].sort().join('\u0000')) unsorted.push(path);
        for (const key of keys) walk((value as Record<string, unknown>)[key], `${path}.${key}`);
      }
    };
    walk(logged, 'input');
    expect(unsorted).toEqual([]);
    expect(logged).toEqual(JSON.parse(JSON.stringify(input, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))));
  });

  it('ranks unlabelled resources as the most sensitive class', () => {
    const input = buildInput(agent, claims(), { ...request, resource: { type: 'calendar', id: 'x' } }, env) as any;
    expect(input.resource).toMatchObject({ sensitivity: null, owner: null, sensitivity_rank: 3 });
  });

  it('counts the token\'s scopes only as far as the agent still holds them (issue 10 item 7)', () => {
    const narrowed = { ...agent, scopes: ['calendar:read'] } as Agent;
    const input = buildInput(narrowed, claims(), request, env) as any;
    expect(input.token.scopes).toEqual(['calendar:read']);
    expect(input.agent.has_admin_scope).toBe(false);
  });
});

describe('shared input parts (issue 11 item 4: a decision logged at the cost of what is new in it)', () => {
  const shared = ['agent', 'user', 'token', 'delegation'] as const;

  it('shares the parts that follow from the agent and its token between decisions, deep-frozen', () => {
    const token = claims();
    const first = buildInput(agent, token, request, env) as Record<string, unknown>;
    const second = buildInput(agent, token, { ...request, action: 'write', context: { other: true } }, env) as Record<string, unknown>;
    for (const part of shared) {
      expect(second[part]).toBe(first[part]);
      expect(Object.isFrozen(first[part])).toBe(true);
    }
    expect(Object.isFrozen((first.agent as { tools: unknown }).tools)).toBe(true);
    expect(() => ((first.agent as { tools: string[] }).tools as string[]).push('x')).toThrow(TypeError);
    // The registry's record is not frozen with them.
    expect(Object.isFrozen(agent.tools)).toBe(false);
    // What depends on the request is not shared.
    expect(second.context).not.toBe(first.context);
    expect(second.resource).not.toBe(first.resource);
  });

  it('keeps the parts when the agent record is reloaded unchanged, and rebuilds them when a field they use changed', () => {
    const token = claims();
    const first = buildInput(agent, token, request, env) as Record<string, any>;
    const reloaded = buildInput({ ...agent, tools: [...agent.tools] } as Agent, token, request, env) as Record<string, any>;
    expect(reloaded.agent).toBe(first.agent);
    const narrowed = buildInput({ ...agent, scopes: ['calendar:read'] } as Agent, token, request, env) as Record<string, any>;
    expect(narrowed.agent).not.toBe(first.agent);
    expect(narrowed.agent.scopes).toEqual(['calendar:read']);
    expect(narrowed.token.scopes).toEqual(['calendar:read']);
    const suspended = buildInput({ ...agent, status: 'suspended' } as Agent, token, request, env) as Record<string, any>;
    expect(suspended.agent.status).toBe('suspended');
  });

  it("gives the decision entry's actor the user's chain, shared, frozen and in canonical order as it stands", () => {
    const delegated = claims({ sub: 'alice@example.com', act: { sub: agent.id, client_id: agent.clientId, act: { sub: 'agent-root', client_id: 'mcl_root' } } } as Partial<AccessTokenClaims>);
    const chain = actorChain(agent, delegated);
    expect(chain).toEqual(delegatingUser(agent, delegated).chain);
    expect(chain).toBe(actorChain(agent, delegated));
    expect(Object.isFrozen(chain) && chain.every((link) => Object.isFrozen(link))).toBe(true);
    // Written as it stands is already RFC 8785: the audit log takes its fast path (no sorted copy).
    expect(canonicalJson(chain)).toBe(JSON.stringify(chain));
    expect(isCheckedFrozen(chain)).toBe(true);
  });

  it('picks the agent part by the request-dependent admin scope: `<type>:admin` counts only for that type', () => {
    const token = claims({ scope: 'calendar:read files:admin' });
    const holder = { ...agent, scopes: ['calendar:read', 'files:admin'] } as Agent;
    const calendar = buildInput(holder, token, request, env) as Record<string, any>;
    const files = buildInput(holder, token, { ...request, resource: { type: 'files', id: 'f1' } }, env) as Record<string, any>;
    expect(calendar.agent.has_admin_scope).toBe(false);
    expect(files.agent.has_admin_scope).toBe(true);
    expect(files.token).toBe(calendar.token);
  });

  it('gives the log one frozen copy of each shared part, equal to a fresh copy', () => {
    const token = claims();
    const a = loggable(buildInput(agent, token, request, env)) as Record<string, unknown>;
    const b = loggable(buildInput(agent, token, request, env)) as Record<string, unknown>;
    for (const part of shared) {
      expect(b[part]).toBe(a[part]);
      expect(Object.isFrozen(a[part])).toBe(true);
    }
    expect(a.resource).not.toBe(b.resource);
    expect(a).toEqual(JSON.parse(JSON.stringify(buildInput(agent, token, request, env), (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))));
  });
});

describe('checkInputLimits (issue 10 items 2 and 6)', () => {
  const resource = { type: 'calendar', id: 'x' };
  const limits = { maxBytes: 64, maxDepth: 3 };

  it('refuses nesting deeper than the limit without recursing, arrays and objects alike', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = { a: deep };
    expect(() => checkInputLimits({ resource, context: { a: deep } }, limits)).toThrow(/policy\.decisionInputMaxDepth/);
    expect(() => checkInputLimits({ resource, context: { a: [[[1]]] } }, limits)).toThrow(/body\.context is nested more than 3/);
    expect(() => checkInputLimits({ resource, context: { a: [[1]] } }, limits)).not.toThrow();
  });

  it('refuses a context or resource larger than the limit as JSON, naming the field', () => {
    expect(() => checkInputLimits({ resource, context: { s: 'x'.repeat(64) } }, limits)).toThrow(/body\.context is \d+ bytes as JSON; the limit is 64 \(policy\.decisionInputMaxBytes\)/);
    expect(() => checkInputLimits({ resource: { type: 'calendar', id: 'é'.repeat(40) } }, limits)).toThrow(/body\.resource/);
    expect(() => checkInputLimits({ resource }, limits)).not.toThrow();
  });
});
