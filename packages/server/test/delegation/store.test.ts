import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/database.js';
import { linksOfChain, pruneExpired, insertLink, spendAssertion } from '../../src/delegation/store.js';
import { openTestStore, storeKinds } from '../support/stores.js';

/** The delegation context's storage contract: chain links and single-use ID-JAG jtis, on both stores. */
describe.each(storeKinds())('delegation store on %s', (kind) => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore(kind);
  });
  afterAll(async () => store?.close());

  const link = (jti: string, depth: number, exp: number) => ({
    jti,
    chain_id: 'dch_1',
    parent_jti: depth === 1 ? null : `j${depth - 1}`,
    root_subject: 'john',
    root_issuer: 'https://idp.example',
    agent_id: `agt_${depth}`,
    depth,
    scopes: 'calendar:read',
    audience: 'https://mandate.example',
    exp,
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    created_at: '2026-12-02T08:00:00.000Z',
  });

  it('spends an assertion jti once, and prunes links and jtis once expired', async () => {
    expect(await spendAssertion(store.db, 'https://idp.example j-1', 1_000)).toBe(true);
    expect(await spendAssertion(store.db, 'https://idp.example j-1', 1_000)).toBe(false);
    await insertLink(store.db, link('j1', 1, 1_000));
    await insertLink(store.db, link('j2', 2, 3_000));
    expect((await linksOfChain(store.db, 'dch_1', 10)).map((l) => l.jti)).toEqual(['j1', 'j2']);
    await pruneExpired(store.db, 2_000);
    expect((await linksOfChain(store.db, 'dch_1', 10)).map((l) => l.jti)).toEqual(['j2']);
    expect(await spendAssertion(store.db, 'https://idp.example j-1', 5_000)).toBe(true);
  });
});
