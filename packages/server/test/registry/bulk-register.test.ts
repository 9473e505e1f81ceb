import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/crypto/index.js';
import { BULK_REGISTER_MAX, type BulkAgent } from '../../src/registry/index.js';
import { ConflictError, ValidationError } from '../../src/shared/errors.js';
import { auditHead } from '../support/audit.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/**
 * Bulk registration on the registry's face (`registerMany`, issue 11 item 7's million-agent bench
 * uses it): every agent validated as `POST /v1/agents` validates it, one transaction and one audit
 * entry per batch, and a batch with any bad agent, a repeated or taken id, or past the limit writes
 * nothing. The imported agents are real: they read back over the API and get tokens with their secret.
 */
describe.each(storeKinds())('bulk registration on %s', (kind) => {
  let server: TestServer;
  const operator = { kind: 'operator' as const, id: 'op-bulk', roles: ['admin'] };
  const secret = 'mcs_bulk-import-test-secret-0123456789';
  const agent = (n: number, extra: Partial<BulkAgent> = {}): BulkAgent => ({
    id: `bulk-${n}`,
    name: `Bulk ${n}`,
    purpose: 'bulk import test',
    owner: 'owner@example.com',
    scopes: ['read:docs'],
    tools: ['search'],
    dataClassification: 'internal',
    environment: 'test',
    clientSecretHash: hashSecret(secret),
    ...extra,
  });
  const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => agent(from + i));
  const agentCount = async () => {
    let n = 0;
    let cursor: string | undefined;
    do {
      const page = await server.runtime.registry.list({}, { limit: 1000, cursor });
      n += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return n;
  };

  beforeAll(async () => {
    server = await startTestServer({ kind });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('inserts a batch in one transaction with one audit entry; the agents read back and get tokens', async () => {
    const before = await auditHead(server);
    expect(await server.runtime.registry.registerMany(batch(0, 2_500), operator)).toEqual({ count: 2_500 });
    expect(await auditHead(server)).toBe(before + 1);
    const { body: entries } = await server.api('GET', '/v1/audit?type=agent.bulk_registered');
    expect(entries.items[0]).toMatchObject({ actor: { id: 'op-bulk' }, details: { count: 2_500, first_id: 'bulk-0', last_id: 'bulk-2499' } });
    const read = await server.api('GET', '/v1/agents/bulk-1234');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: 'bulk-1234', status: 'active', scopes: ['read:docs'], data_classification: 'internal' });
    const token = await fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`bulk-77:${secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
  });

  it('refuses a batch with one invalid agent, naming it, and writes nothing', async () => {
    const before = await auditHead(server);
    const count = await agentCount();
    const bad = batch(10_000, 10);
    bad[7] = agent(10_007, { dataClassification: 'top-secret' });
    await expect(server.runtime.registry.registerMany(bad, operator)).rejects.toThrow(ValidationError);
    await expect(server.runtime.registry.registerMany(bad, operator)).rejects.toThrow(/agents\[7\]/);
    const badHash = batch(10_000, 3);
    badHash[2] = agent(10_002, { clientSecretHash: 'plain-secret' });
    await expect(server.runtime.registry.registerMany(badHash, operator)).rejects.toThrow(/agents\[2\]: clientSecretHash/);
    const repeated = [...batch(10_000, 3), agent(10_001)];
    await expect(server.runtime.registry.registerMany(repeated, operator)).rejects.toThrow(/agents\[3\]: id 'bulk-10001' appears twice/);
    // A taken id refuses the whole batch (the rows before it roll back with it).
    await expect(server.runtime.registry.registerMany([...batch(20_000, 5), agent(3)], operator)).rejects.toThrow(ConflictError);
    await expect(server.runtime.registry.registerMany(batch(30_000, BULK_REGISTER_MAX + 1), operator)).rejects.toThrow(new RegExp(`at most ${BULK_REGISTER_MAX}`));
    expect(await agentCount()).toBe(count);
    expect(await auditHead(server)).toBe(before);
    expect((await server.api('GET', '/v1/agents/bulk-20000')).status).toBe(404);
  });
});
