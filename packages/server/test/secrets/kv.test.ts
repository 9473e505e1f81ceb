import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Envelope } from '../../src/crypto/index.js';
import { randomBytes } from 'node:crypto';
import { startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { agentWithToken, auditOf } from './support.js';

/** The secret store over HTTP: versions, check-and-set, delete/destroy, policy-authorised and audited reads, master-key rewrap. */
describe.each(storeKinds())('secret store on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOAuthServer(kind, { config: { secrets: { versionsKept: 3 } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('writes versions, reads the newest or a named one, keeps only versionsKept', async () => {
    for (let i = 1; i <= 4; i += 1) {
      const { status, body } = await server.api('PUT', '/v1/secrets/app/db', { data: { password: `p${i}` } });
      expect(status).toBe(200);
      expect(body.version).toBe(i);
    }
    expect((await server.api('GET', '/v1/secrets/app/db')).body).toMatchObject({ version: 4, data: { password: 'p4' } });
    expect((await server.api('GET', '/v1/secrets/app/db?version=2')).body).toMatchObject({ version: 2, data: { password: 'p2' } });
    // versionsKept = 3: version 1 is gone.
    expect((await server.api('GET', '/v1/secrets/app/db?version=1')).status).toBe(404);
    const meta = (await server.api('GET', '/v1/secrets/app/db?metadata=true')).body;
    expect(meta.versions.map((v: { version: number }) => v.version)).toEqual([2, 3, 4]);
    expect((await server.api('GET', '/v1/secrets?prefix=app/')).body.paths).toEqual(['app/db']);
  });

  it('check-and-set: 0 only creates, a stale version is a 409 that changes nothing', async () => {
    expect((await server.api('PUT', '/v1/secrets/cas/x', { data: { a: '1' }, cas: 0 })).status).toBe(200);
    const stale = await server.api('PUT', '/v1/secrets/cas/x', { data: { a: '2' }, cas: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.details).toMatchObject({ expected: 0, current: 1 });
    expect((await server.api('PUT', '/v1/secrets/cas/x', { data: { a: '2' }, cas: 1 })).body.version).toBe(2);
    expect((await server.api('GET', '/v1/secrets/cas/x')).body.data).toEqual({ a: '2' });
  });

  it('soft delete hides a version, destroy erases its ciphertext; bad paths and oversized values are refused', async () => {
    await server.api('PUT', '/v1/secrets/del/y', { data: { v: '1' } });
    await server.api('PUT', '/v1/secrets/del/y', { data: { v: '2' } });
    expect((await server.api('DELETE', '/v1/secrets/del/y')).body).toEqual({ path: 'del/y', versions: [2], destroyed: false });
    const deleted = await server.api('GET', '/v1/secrets/del/y');
    expect(deleted.status).toBe(404);
    expect(deleted.body.message).toContain('deleted');
    expect((await server.api('DELETE', '/v1/secrets/del/y?versions=1&destroy=true')).body.destroyed).toBe(true);
    const row = await server.runtime.store.db.selectFrom('secret_versions').select(['ciphertext', 'destroyed_at']).where('path', '=', 'del/y').where('version', '=', 1).executeTakeFirst();
    expect(row).toMatchObject({ ciphertext: null });
    expect((await server.api('DELETE', '/v1/secrets/del/y?versions=9')).status).toBe(404);
    const bad = await server.api('PUT', '/v1/secrets/a%20b', { data: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toMatchObject({ field: 'path' });
    const big = await server.api('PUT', '/v1/secrets/big', { data: { v: 'x'.repeat(70_000) } });
    expect(big.status).toBe(413);
  });

  it('stores values encrypted under a per-secret data key: no plaintext in the tables', async () => {
    await server.api('PUT', '/v1/secrets/plain/check', { data: { token: 'very-recognisable-value' } });
    const rows = await server.runtime.store.db.selectFrom('secret_versions').select('ciphertext').where('path', '=', 'plain/check').execute();
    expect(JSON.stringify(rows)).not.toContain('very-recognisable');
  });

  it('agents read only what policy allows; every read is audited with path and version, never the value', async () => {
    await server.api('PUT', '/v1/secrets/agents/shared', { data: { api_key: 'k-123' } });
    const allowed = await agentWithToken(server);
    const read = await server.api('GET', '/v1/secrets/agents/shared', undefined, { token: allowed.token });
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual({ api_key: 'k-123' });
    // Without the tool registered, the default policy denies (tool_not_registered).
    const refused = await agentWithToken(server, { tools: ['db'] });
    const denied = await server.api('GET', '/v1/secrets/agents/shared', undefined, { token: refused.token });
    expect(denied.status).toBe(403);
    expect(denied.body.details.reasons).toContain('tool_not_registered');
    // A ceiling below the secret's classification (restricted by default) is denied.
    const lowCeiling = await agentWithToken(server, { data_classification: 'internal' });
    const tooSensitive = await server.api('GET', '/v1/secrets/agents/shared', undefined, { token: lowCeiling.token });
    expect(tooSensitive.body.details.reasons).toContain('sensitivity_exceeds_ceiling');
    await server.api('PUT', '/v1/secrets/agents/shared', { data: { api_key: 'k-123' }, classification: 'internal' });
    expect((await server.api('GET', '/v1/secrets/agents/shared', undefined, { token: lowCeiling.token })).status).toBe(200);
    // Agents cannot write.
    expect((await server.api('PUT', '/v1/secrets/agents/shared', { data: { a: 'b' } }, { token: allowed.token })).status).toBe(403);
    const reads = (await auditOf(server, ['secret.read'])).filter((e) => e.subject === 'agents/shared');
    expect(reads).toHaveLength(2);
    expect(reads[0]).toMatchObject({ agent_id: allowed.id, details: { path: 'agents/shared', version: 1 } });
    expect(reads[1]).toMatchObject({ agent_id: lowCeiling.id, details: { path: 'agents/shared', version: 2 } });
    const all = JSON.stringify(await auditOf(server, ['secret.read', 'secret.written']));
    expect(all).not.toContain('k-123');
  });

  it('master-key rotation rewraps data keys only: ciphertexts unchanged, values open under the new key', async () => {
    await server.api('PUT', '/v1/secrets/rewrap/z', { data: { v: 'before-rotation' } });
    const before = await server.runtime.store.db.selectFrom('secret_versions').select('ciphertext').where('path', '=', 'rewrap/z').executeTakeFirstOrThrow();
    const next = new Envelope(randomBytes(32));
    const moved = await server.runtime.secrets.rewrap(server.runtime.envelope, next);
    expect(moved).toBeGreaterThan(0);
    const after = await server.runtime.store.db.selectFrom('secret_versions').select('ciphertext').where('path', '=', 'rewrap/z').executeTakeFirstOrThrow();
    expect(after.ciphertext).toBe(before.ciphertext);
    // The running server still holds the old master key: reads fail until it restarts with the new one.
    expect((await server.api('GET', '/v1/secrets/rewrap/z')).status).toBe(500);
    const { SecretStore } = await import('../../src/secrets/index.js');
    const rotated = new SecretStore({ store: server.runtime.store, audit: server.runtime.audit, envelope: next, clock: server.runtime.clock, settings: { versionsKept: 3, valueMaxBytes: 65_536 } });
    expect((await rotated.read('rewrap/z', { kind: 'system', id: 'test' })).data).toEqual({ v: 'before-rotation' });
  });
});
