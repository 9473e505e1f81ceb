import { describe, expect, it } from 'vitest';
import { delegationFromClaims } from './chain.js';

describe('delegation from token claims', () => {
  it('is the agent alone for a client credentials token', () => {
    expect(delegationFromClaims('agt_1', 'mcl_1', { sub: 'agt_1', client_id: 'mcl_1' })).toEqual({
      chain: [{ sub: 'agt_1', client_id: 'mcl_1' }],
      onBehalfOf: null,
    });
  });

  it('reads nested act claims, original subject first and the presenting agent last', () => {
    const claims = { sub: 'alice@example.com', client_id: 'mcl_2', act: { sub: 'agt_2', client_id: 'mcl_2', act: { sub: 'agt_1', client_id: 'mcl_1' } } };
    expect(delegationFromClaims('agt_2', 'mcl_2', claims)).toEqual({
      chain: [{ sub: 'alice@example.com' }, { sub: 'agt_1', client_id: 'mcl_1' }, { sub: 'agt_2', client_id: 'mcl_2' }],
      onBehalfOf: 'alice@example.com',
    });
  });

  it('appends the presenting agent when act does not name it', () => {
    const claims = { sub: 'alice@example.com', act: { sub: 'agt_1' } };
    expect(delegationFromClaims('agt_2', 'mcl_2', claims).chain).toEqual([{ sub: 'alice@example.com' }, { sub: 'agt_1' }, { sub: 'agt_2', client_id: 'mcl_2' }]);
  });
});
