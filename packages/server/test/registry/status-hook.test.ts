import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusChange } from '../../src/registry/types.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/** The in-transaction status hook: its writes and audit events commit with the change, or nothing does. */
describe.each(storeKinds())('registry onStatusChangeInTransaction on %s', (kind) => {
  let server: TestServer;
  const body = (name: string) => ({ name, purpose: 'p', owner: 'alice@example.com', scopes: [], tools: [], data_classification: 'public', environment: 'production' });
  const entries = async (agentId: string) =>
    (await server.runtime.store.db.selectFrom('audit_entries').select(['type', 'seq', 'time']).where('agent_id', '=', agentId).orderBy('seq').execute()).map((r) => ({
      type: r.type,
      seq: Number(r.seq),
      time: r.time,
    }));

  beforeAll(async () => {
    server = await startTestServer({ kind });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('rolls the transition back when an in-transaction listener throws: status unchanged, no audit entry, no announcement', async () => {
    const { agent } = (await server.api('POST', '/v1/agents', body('hooked-failing'))).body;
    const announced: StatusChange[] = [];
    const offAfter = server.runtime.registry.onStatusChange((change) => {
      announced.push(change);
    });
    const offFailing = server.runtime.registry.onStatusChangeInTransaction(async (trx, change) => {
      // A write that must disappear with the rollback.
      await trx.updateTable('agents').set({ status_reason: 'written by the hook' }).where('id', '=', change.agentId).execute();
      throw new Error('revocation store down');
    });
    try {
      expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'incident' })).status).toBe(500);
    } finally {
      offFailing();
      offAfter();
    }
    const stored = (await server.api('GET', `/v1/agents/${agent.id}`)).body;
    expect(stored).toMatchObject({ status: 'active', status_reason: null });
    expect((await entries(agent.id)).map((e) => e.type)).toEqual(['agent.registered']);
    expect(announced).toEqual([]);
    // Unsubscribed: the same transition now succeeds.
    expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`)).status).toBe(200);
  });

  it('commits the listener writes and its audit events with the transition, before after-commit listeners run', async () => {
    const { agent } = (await server.api('POST', '/v1/agents', body('hooked'))).body;
    const inTransaction: Array<{ change: StatusChange; statusInTrx: string | undefined }> = [];
    const afterCommit: Array<string | undefined> = [];
    const offTx = server.runtime.registry.onStatusChangeInTransaction(async (trx, change) => {
      const row = await trx.selectFrom('agents').select('status').where('id', '=', change.agentId).executeTakeFirst();
      inTransaction.push({ change, statusInTrx: row?.status });
      await trx.updateTable('agents').set({ status_reason: `hooked: ${change.reason}` }).where('id', '=', change.agentId).execute();
      return [{ type: 'test.hooked', actor: change.actor, subject: change.agentId, agentId: change.agentId, action: 'hook', outcome: 'success', details: { to: change.to } }];
    });
    const offAfter = server.runtime.registry.onStatusChange(async (change) => {
      afterCommit.push((await server.runtime.registry.find(change.agentId))?.statusReason ?? undefined);
    });
    try {
      expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'test' })).status).toBe(200);
    } finally {
      offTx();
      offAfter();
    }
    expect(inTransaction).toEqual([{ change: expect.objectContaining({ agentId: agent.id, from: 'active', to: 'suspended', reason: 'test' }), statusInTrx: 'suspended' }]);
    expect(afterCommit).toEqual(['hooked: test']);
    const log = await entries(agent.id);
    // The runtime's OAuth service subscribed first: its revocation entry comes before ours.
    expect(log.map((e) => e.type)).toEqual(['agent.registered', 'agent.suspended', 'oauth.agent.tokens_revoked', 'test.hooked']);
    // One append: consecutive entries with one time.
    expect(log.slice(1).map((e) => e.seq)).toEqual([log[1]!.seq, log[1]!.seq + 1, log[1]!.seq + 2]);
    expect(new Set(log.slice(1).map((e) => e.time)).size).toBe(1);
    // An illegal transition never reaches the hook.
    const before = inTransaction.length;
    expect((await server.api('POST', `/v1/agents/${agent.id}/suspend`)).status).toBe(409);
    expect(inTransaction.length).toBe(before);
  });
});
