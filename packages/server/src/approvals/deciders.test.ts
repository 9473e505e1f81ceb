import { describe, expect, it } from 'vitest';
import { mayDecide, type DecidedRequest } from './deciders.js';
import type { Decider } from './types.js';

const approver: Decider = { kind: 'operator', id: 'op-ann', email: 'ann@example.com', roles: ['approver'] };
const admin: Decider = { kind: 'operator', id: 'op-root', email: 'root@example.com', roles: ['admin'] };
const alice: Decider = { kind: 'operator', id: 'op-alice', email: 'Alice@Example.com', roles: ['owner'] };

const plain: DecidedRequest = { agentId: 'agt_1', chain: [{ sub: 'agt_1', client_id: 'mcl_1' }], onBehalfOf: null };
const delegated: DecidedRequest = {
  agentId: 'agt_2',
  chain: [{ sub: 'alice@example.com' }, { sub: 'agt_1', client_id: 'mcl_1' }, { sub: 'agt_2' }],
  onBehalfOf: 'alice@example.com',
};
const off = { allowDelegatingUser: false };
const on = { allowDelegatingUser: true };

describe('who may decide', () => {
  it('lets approvers and admins decide', () => {
    expect(mayDecide(plain, approver, off)).toEqual({ allowed: true, asDelegatingUser: false });
    expect(mayDecide(plain, admin, off).allowed).toBe(true);
  });

  it('refuses agents, even the one that asked', () => {
    expect(mayDecide(plain, { kind: 'agent', id: 'agt_1' }, on)).toMatchObject({ allowed: false, code: 'agent_cannot_decide' });
    expect(mayDecide(plain, { kind: 'agent', id: 'agt_9' }, on)).toMatchObject({ allowed: false, code: 'agent_cannot_decide' });
  });

  it('refuses roles without approvals:decide', () => {
    for (const role of ['auditor', 'owner'] as const) {
      const op: Decider = { kind: 'operator', id: `op-${role}`, email: `${role}@example.com`, roles: [role] };
      expect(mayDecide(plain, op, on)).toMatchObject({ allowed: false, code: 'not_permitted' });
    }
  });

  it('refuses an operator who appears in the chain, by id or email', () => {
    const byId: Decider = { kind: 'operator', id: 'agt_1', email: 'x@example.com', roles: ['approver'] };
    expect(mayDecide(delegated, byId, off)).toMatchObject({ allowed: false, code: 'party_to_request' });
    const byClientId: Decider = { kind: 'operator', id: 'mcl_1', email: 'y@example.com', roles: ['admin'] };
    expect(mayDecide(plain, byClientId, off)).toMatchObject({ allowed: false, code: 'party_to_request' });
    const byEmail: Decider = { kind: 'operator', id: 'op-z', email: 'ALICE@example.com', roles: ['approver'] };
    expect(mayDecide(delegated, byEmail, off)).toMatchObject({ allowed: false, code: 'party_to_request' });
  });

  it('lets the delegating user decide only when configured', () => {
    expect(mayDecide(delegated, alice, off)).toMatchObject({ allowed: false, code: 'not_permitted' });
    expect(mayDecide(delegated, alice, on)).toEqual({ allowed: true, asDelegatingUser: true });
    const aliceApprover: Decider = { ...alice, roles: ['approver'] } as Decider;
    expect(mayDecide(delegated, aliceApprover, off)).toMatchObject({ allowed: false, code: 'party_to_request' });
    expect(mayDecide(delegated, aliceApprover, on)).toEqual({ allowed: true, asDelegatingUser: true });
  });

  it('does not treat a user the agent merely names as the delegating user', () => {
    const named: DecidedRequest = { agentId: 'agt_1', chain: [{ sub: 'agt_1' }], onBehalfOf: 'alice@example.com' };
    expect(mayDecide(named, alice, on)).toMatchObject({ allowed: false, code: 'not_permitted' });
  });
});

describe('separation of duties', () => {
  const ownerApprover: Decider = { kind: 'operator', id: 'op-olga', email: 'olga@example.com', roles: ['owner', 'approver'] };
  const owned: DecidedRequest = { ...plain, agentOwner: 'Olga@Example.com' };

  it('refuses an approver (or admin) who owns the agent, naming the rule; on when not set', () => {
    for (const settings of [off, { ...off, separationOfDuties: true }]) {
      const verdict = mayDecide(owned, ownerApprover, settings);
      expect(verdict).toMatchObject({ allowed: false, code: 'owns_agent' });
      expect((verdict as { message: string }).message).toContain('approvals.separationOfDuties');
    }
    expect(mayDecide({ ...plain, agentOwner: 'root@example.com' }, admin, off)).toMatchObject({ allowed: false, code: 'owns_agent' });
  });

  it('lets other approvers decide, and the owner when it is turned off', () => {
    expect(mayDecide(owned, approver, off).allowed).toBe(true);
    expect(mayDecide(owned, ownerApprover, { ...off, separationOfDuties: false }).allowed).toBe(true);
    expect(mayDecide({ ...plain, agentOwner: null }, ownerApprover, off).allowed).toBe(true);
  });
});
