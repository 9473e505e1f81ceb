import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StatusChange } from '../../src/registry/types.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/** Atomicity of change + audit entry, concurrent changes, and the status-change hook's contract. */
describe.each(storeKinds())('agent registry consistency on %s', (kind) => {
  let server: TestServer;
  const body = (name: string, environment = 'production') => ({
    name,
    purpose: 'p',
    owner: 'alice@example.com',
    scopes: [],
    tools: [],
    data_classification: 'public',
    environment,
  });
  const auditTypes = async (agentId: string) =>
    (await server.runtime.store.db.selectFrom('audit_entries').select('type').where('agent_id', '=', agentId).where('type', 'like', 'agent.%').orderBy('seq').execute()).map((r) => r.type);

  beforeAll(async () => {
    server = await startTestServer({ kind });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('rolls the change back when its audit entry cannot be written', async () => {
    const created = (await server.api('POST', '/v1/agents', body('atomic'))).body;
    const spy = vi.spyOn(server.runtime.audit, 'appendIn').mockRejectedValueOnce(new Error('disk full'));
    try {
      expect((await server.api('POST', `/v1/agents/${created.agent.id}/suspend`)).status).toBe(500);
      expect((await server.api('POST', '/v1/agents', body('never-written'))).status).toBe(201); // the mock fired once only
    } finally {
      spy.mockRestore();
    }
    expect((await server.api('GET', `/v1/agents/${created.agent.id}`)).body.status).toBe('active');
    expect(await auditTypes(created.agent.id)).toEqual(['agent.registered']);

    const failRegistration = vi.spyOn(server.runtime.audit, 'appendIn').mockRejectedValueOnce(new Error('disk full'));
    try {
      expect((await server.api('POST', '/v1/agents', { ...body('lost'), id: `lost-${kind}` })).status).toBe(500);
    } finally {
      failRegistration.mockRestore();
    }
    expect((await server.api('GET', `/v1/agents/lost-${kind}`)).status).toBe(404);
  });

  it('gives concurrent registrations distinct generated ids', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => server.api('POST', '/v1/agents', body('Racer', 'race'))));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    const ids = results.map((r) => r.body.agent.id as string).sort();
    expect(ids).toEqual(['001', '002', '003', '004', '005', '006'].map((n) => `agent-racer-race-${n}`));
  });

  it('applies exactly one of several concurrent identical transitions', async () => {
    const { agent } = (await server.api('POST', '/v1/agents', body('contended'))).body;
    const results = await Promise.all(Array.from({ length: 5 }, () => server.api('POST', `/v1/agents/${agent.id}/suspend`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(await auditTypes(agent.id)).toEqual(['agent.registered', 'agent.suspended']);
  });

  it('calls status listeners after commit; a failing listener does not undo the change', async () => {
    const { agent } = (await server.api('POST', '/v1/agents', body('listened'))).body;
    const seen: Array<{ change: StatusChange; storedStatus: string | undefined }> = [];
    const offFailing = server.runtime.registry.onStatusChange(() => {
      throw new Error('revocation backend down');
    });
    const offObserver = server.runtime.registry.onStatusChange(async (change) => {
      // Read through the pool, outside the change's transaction: only committed data is visible.
      const stored = await server.runtime.registry.find(change.agentId);
      seen.push({ change, storedStatus: stored?.status });
    });
    try {
      const res = await server.api('POST', `/v1/agents/${agent.id}/suspend`, { reason: 'test' });
      expect(res.status).toBe(200);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ storedStatus: 'suspended', change: { agentId: agent.id, clientId: agent.id, from: 'active', to: 'suspended', reason: 'test', actor: { kind: 'operator', id: 'admin' } } });
    } finally {
      offFailing();
      offObserver();
    }
    await server.api('POST', `/v1/agents/${agent.id}/resume`);
    expect(seen).toHaveLength(1); // unsubscribed
    // Failed transitions announce nothing.
    const before = seen.length;
    await server.api('POST', `/v1/agents/${agent.id}/resume`);
    expect(seen.length).toBe(before);
  });
});
