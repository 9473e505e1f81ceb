import { describe, expect, it } from 'vitest';
import { parseEvent, RevocationState } from './revocation-state.js';

describe('RevocationState', () => {
  it('revokes every token delegated from a revoked one (its jti among the delegation parents)', () => {
    const state = new RevocationState(900, 10);
    state.apply({ kind: 'token', jti: 'token-of-A', exp: 1000 });
    expect(state.check({ jti: 'token-of-C', iat: 1, delegation: { depth: 3, parents: ['token-of-A', 'token-of-B'] } })).toBe('token');
    expect(state.check({ jti: 'token-of-X', iat: 1, delegation: { depth: 2, parents: ['token-of-Y'] } })).toBeUndefined();
  });

  it('revokes a jti until its exp plus skew has passed', () => {
    const state = new RevocationState(900, 10);
    state.apply({ kind: 'token', jti: 'a', exp: 1000 });
    expect(state.check({ jti: 'a', iat: 1 })).toBe('token');
    state.prune(1010);
    expect(state.check({ jti: 'a', iat: 1 })).toBe('token');
    state.prune(1011);
    expect(state.check({ jti: 'a', iat: 1 })).toBeUndefined();
  });

  it('keeps the largest not_before per agent, and compares it with iat inclusively', () => {
    const state = new RevocationState(900, 0);
    state.apply({ kind: 'agent', agent_id: 'agt', client_id: 'mcl', not_before: 500 });
    state.apply({ kind: 'agent', agent_id: 'agt', client_id: 'mcl', not_before: 400 });
    expect(state.check({ sub: 'agt', iat: 500 })).toBe('agent');
    expect(state.check({ sub: 'agt', iat: 501 })).toBeUndefined();
    expect(state.check({ sub: 'other', client_id: 'mcl', iat: 450 })).toBe('agent');
    expect(state.check({ sub: 'user', iat: 10, act: { sub: 'x', act: { sub: 'agt' } } })).toBe('agent');
    expect(state.check({ sub: 'user', iat: 10, act: { sub: 'x' } })).toBeUndefined();
    state.prune(500 + 900);
    expect(state.check({ sub: 'agt', iat: 1 })).toBe('agent');
    state.prune(500 + 901);
    expect(state.check({ sub: 'agt', iat: 1 })).toBeUndefined();
  });

  it('parses wire events and skips unknown or malformed ones', () => {
    expect(parseEvent({ kind: 'token', jti: 'j', exp: 5 })).toEqual({ kind: 'token', jti: 'j', exp: 5 });
    expect(parseEvent({ kind: 'agent', agent_id: 'a', client_id: 'c', not_before: 5 })).toEqual({ kind: 'agent', agent_id: 'a', client_id: 'c', not_before: 5 });
    expect(parseEvent({ kind: 'token', jti: 'j' })).toBeUndefined();
    expect(parseEvent({ kind: 'future', x: 1 })).toBeUndefined();
    expect(parseEvent(null)).toBeUndefined();
  });
});
