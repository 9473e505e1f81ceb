import { describe, expect, it } from 'vitest';
import { Authenticator, bearerToken } from './authenticator.js';
import { decisionCaller } from './decision-caller.js';
import type { OperatorPrincipal, RequestContext } from './principal.js';

const operator: OperatorPrincipal = { kind: 'operator', operatorId: 'op-1', email: 'op@example.com', roles: ['owner'], tokenId: 'mop_1' };
const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.c2ln';

/** An Authenticator with an operator token, an agent token and a resource server registered. */
function authenticator(): Authenticator {
  const identity = new Authenticator();
  identity.register({ recognises: (c) => c.startsWith('mop_'), resolve: async (c) => (c === 'mop_1.secret' ? operator : null) });
  identity.register({
    recognises: (c) => c.startsWith('eyJ'),
    resolve: async (c) => (c === jwt ? { kind: 'agent', agentId: 'agt_1', clientId: 'agt_1', claims: {}, token: c } : null),
  });
  identity.registerResourceServers({
    resolve: async (clientId, secret) => (clientId === 'rsc_1' && secret === 's' ? { kind: 'resource_server', serverId: 'rs_1', clientId, audience: 'https://api.example.com', policyPackage: null } : null),
    resolveBasic: async (authorization) => (authorization === `Basic ${Buffer.from('rsc_1:s').toString('base64')}` ? { kind: 'resource_server', serverId: 'rs_1', clientId: 'rsc_1', audience: 'https://api.example.com', policyPackage: null } : null),
  });
  return identity;
}

const request = (authorization?: string): RequestContext => ({ method: 'POST', url: '/v1/authorize', headers: authorization ? { authorization } : {} });

describe('Authenticator', () => {
  it('reads Bearer and DPoP tokens only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('dpop abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
  });

  it('lets the first resolver that recognises a credential decide, and says why a request is refused', async () => {
    const identity = authenticator();
    expect(await identity.authenticate(request('Bearer mop_1.secret'))).toBe(operator);
    await expect(identity.authenticate(request())).rejects.toThrow(/missing bearer token/);
    await expect(identity.authenticate(request('Basic eA=='))).rejects.toThrow(/malformed Authorization header/);
    await expect(identity.authenticate(request('Bearer mop_1.wrong'))).rejects.toThrow(/not valid/);
    await expect(identity.authenticate(request('Bearer unknown-kind'))).rejects.toThrow(/not valid/);
    expect(await identity.resourceServer('rsc_1', 's')).toMatchObject({ kind: 'resource_server', audience: 'https://api.example.com' });
    expect(await identity.resourceServer('rsc_1', 'nope')).toBeNull();
  });
});

describe('decisionCaller (who asks POST /v1/authorize)', () => {
  const options = {
    audience: 'https://mandate.example.com',
    checkOperator: (op: OperatorPrincipal) => {
      if (!op.roles.includes('owner')) throw new Error('no decisions:request');
    },
  };

  it('takes an agent\'s own token, an operator\'s or a resource server\'s body token', async () => {
    const identity = authenticator();
    expect(await decisionCaller(identity, request(`Bearer ${jwt}`), undefined, options)).toEqual({
      caller: { kind: 'agent', id: '' },
      token: jwt,
      tokenFromBody: false,
      audience: 'https://mandate.example.com',
      proofChecked: false,
      boundPackage: null,
    });
    expect(await decisionCaller(identity, request('Bearer mop_1.secret'), jwt, options)).toMatchObject({ caller: { kind: 'operator', id: 'op-1' }, tokenFromBody: true, audience: null, proofChecked: true, boundPackage: null });
    const basic = `Basic ${Buffer.from('rsc_1:s').toString('base64')}`;
    expect(await decisionCaller(identity, request(basic), jwt, options)).toMatchObject({ caller: { kind: 'resource_server', id: 'rs_1' }, audience: 'https://api.example.com', boundPackage: null });
  });

  it('refuses what no caller may do', async () => {
    const identity = authenticator();
    await expect(decisionCaller(identity, request(), jwt, options)).rejects.toMatchObject({ status: 401 });
    await expect(decisionCaller(identity, request(`Bearer ${jwt}`), 'eyJother.x.y', options)).rejects.toMatchObject({ status: 403 });
    await expect(decisionCaller(identity, request('Bearer mop_1.secret'), undefined, options)).rejects.toMatchObject({ status: 400 });
    await expect(decisionCaller(identity, request(`Basic ${Buffer.from('rsc_1:x').toString('base64')}`), jwt, options)).rejects.toMatchObject({ status: 401 });
    await expect(decisionCaller(identity, request('Negotiate abc'), jwt, options)).rejects.toThrow(/unsupported Authorization scheme/);
  });
});
