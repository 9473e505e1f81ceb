import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditHmacKey, deriveKey, Envelope, parseMasterKey } from '../../src/crypto/index.js';
import { rekey } from '../../src/rekey.js';
import { startOAuthServer } from '../support/agents.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { pgServerUrl } from '../support/pg.js';
import { storeKinds } from '../support/stores.js';
import { agentWithToken, asUser, READER_ROLE, targetDatabase } from '../secrets/support.js';
import { agentKey, csrFor } from '../workload/support.js';

/**
 * Offline master-key rotation against a real server on each store: state written under the old
 * key (a secret, an agent's token, its certificate), the server stopped, `rekey`, then the same
 * store started with the new key. The key file in the data directory is the key's source here.
 */
describe.each(storeKinds())('master-key rotation (%s)', (kind) => {
  const running: TestServer[] = [];
  afterAll(async () => {
    for (const server of running) await server.stop();
  });

  /** Starts on the same location, port and issuer as `first`, so the old token's `iss` still matches. */
  async function restart(first: TestServer): Promise<TestServer> {
    const port = new URL(first.url).port;
    const server = await startTestServer({ location: first.location, config: { port: Number(port), issuer: first.config.issuer } });
    running.push(server);
    // fetch's pool may still hold a keep-alive socket to the stopped server on this port: the
    // first call through it fails once with "other side closed" and drops it.
    await server.api('GET', '/.well-known/jwks.json').catch(() => undefined);
    return server;
  }

  it('rewraps every sealed key in one transaction: secrets, tokens and the CA keep working under the new key, the old key is refused', async () => {
    const first = await startOAuthServer(kind);
    running.push(first);
    expect((await first.api('PUT', '/v1/secrets/rekey/app', { data: { password: 'before-rotation' } })).status).toBe(200);
    const agent = await agentWithToken(first);
    expect((await first.api('GET', '/v1/secrets/rekey/app', undefined, { token: agent.token })).body.data).toEqual({ password: 'before-rotation' });
    expect((await first.api('POST', '/v1/svids', { csr: await csrFor(await agentKey()) }, { token: agent.token })).status).toBe(201);
    const ciphertext = async (server: TestServer) =>
      (await server.runtime.store.db.selectFrom('secret_versions').select('ciphertext').where('path', '=', 'rekey/app').executeTakeFirstOrThrow()).ciphertext;
    const before = await ciphertext(first);
    // While the server runs (SQLite: its WAL file; PostgreSQL: its sessions), rekey refuses and changes nothing.
    await expect(rekey(first.config, randomBytes(32))).rejects.toThrow(/stop every Mandate server using this store/);
    expect(readdirSync(first.location.dataDir).filter((name) => name.includes('rekey'))).toEqual([]);
    await first.stop();

    const keyFile = join(first.location.dataDir, 'master-key');
    const oldKeyText = readFileSync(keyFile, 'utf8');
    const newKey = randomBytes(32);

    // A failure after some steps ran: nothing is committed, the key file is untouched, no temporary file is left.
    await expect(
      rekey(first.config, newKey, {
        afterStep: (step) => {
          if (step === 'audit_keys') throw new Error('injected failure mid-rekey');
        },
      }),
    ).rejects.toThrow('injected failure mid-rekey');
    expect(readFileSync(keyFile, 'utf8')).toBe(oldKeyText);
    expect(readdirSync(first.location.dataDir).filter((name) => name.includes('rekey'))).toEqual([]);

    // Had any step committed, this run (which opens every value with the old key) would fail.
    const result = await rekey(first.config, newKey);
    expect(result.keyFile).toBe(keyFile);
    expect(result.counts).toMatchObject({ meta: 2, secrets: 1, oauth_signing_keys: expect.any(Number), audit_keys: 1, workload_ca_keys: expect.any(Number) });
    expect(result.counts.oauth_signing_keys).toBeGreaterThan(0);
    expect(result.counts.workload_ca_keys).toBeGreaterThan(0);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(newKey.toString('base64url'));
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    await expect(rekey(first.config, newKey)).rejects.toThrow('the new master key is the current one');

    const second = await restart(first);
    // The old token still verifies (same signing key) and authorises the read; the value opens.
    const read = await second.api('GET', '/v1/secrets/rekey/app', undefined, { token: agent.token });
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual({ password: 'before-rotation' });
    // Data keys moved, the value was not re-encrypted.
    expect(await ciphertext(second)).toBe(before);
    expect((await second.api('POST', '/v1/svids', { csr: await csrFor(await agentKey()) }, { token: agent.token })).status).toBe(201);
    // One audit entry, no key material in it; the chain still verifies.
    const entries = await second.runtime.store.db.selectFrom('audit_entries').select(['type', 'details']).where('type', '=', 'master_key.rotated').execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.details).not.toContain(newKey.toString('base64url'));
    expect(entries[0]!.details).not.toContain(oldKeyText.trim());
    expect(JSON.parse(entries[0]!.details)).toMatchObject({ key_source: 'file', rewrapped: { secrets: 1 } });
    expect((await second.api('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true });
    // The audit HMAC key is the one HMACs were made with before (derived from the old key): equal values stay comparable.
    const hmacKey = await auditHmacKey(second.runtime.store.db, new Envelope(newKey), newKey);
    expect(hmacKey.equals(deriveKey(parseMasterKey(oldKeyText), 'audit-hmac'))).toBe(true);
    await second.stop();

    // The old key no longer opens the store: the key check refuses to start.
    writeFileSync(keyFile, oldKeyText, { mode: 0o600 });
    await expect(restart(first)).rejects.toThrow(/master key does not match/);
    // A crash after the commit, before the new key replaced the file: the start names the
    // set-aside key that opens the store (a stray file that does not open it is passed over).
    const setAside = join(first.location.dataDir, 'master-key.rekey-4242.tmp');
    writeFileSync(join(first.location.dataDir, 'master-key.rekey-1.tmp'), `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    writeFileSync(setAside, `${newKey.toString('base64url')}\n`, { mode: 0o600 });
    await expect(restart(first)).rejects.toThrow(`but ${setAside} does: a rekey committed and stopped before it could put that key in place; move it over ${keyFile}`);
    // Nor can it rotate again.
    await expect(rekey(first.config, randomBytes(32))).rejects.toThrow(/does not match/);
    expect(existsSync(keyFile)).toBe(true);
  }, 120_000);

  it('with MANDATE_MASTER_KEY as the source: the store moves, no file is written', async () => {
    const oldKey = randomBytes(32).toString('base64url');
    const first = await startTestServer({ kind, masterKey: oldKey });
    running.push(first);
    expect((await first.api('PUT', '/v1/secrets/rekey/env', { data: { v: 'x' } })).status).toBe(200);
    await first.stop();
    const newKey = randomBytes(32);
    const result = await rekey(first.config, newKey);
    expect(result.keyFile).toBeNull();
    expect(existsSync(join(first.location.dataDir, 'master-key'))).toBe(false);
    const second = await startTestServer({ location: first.location, masterKey: newKey.toString('base64url') });
    running.push(second);
    expect((await second.api('GET', '/v1/secrets/rekey/env')).body.data).toEqual({ v: 'x' });
    await second.stop();
    await expect(startTestServer({ location: first.location, masterKey: oldKey })).rejects.toThrow(/master key does not match/);
  }, 120_000);

  it.skipIf(pgServerUrl() === null)('a lease issued before the rotation is revoked after it, and the connection (root URL) still issues credentials', async () => {
    const target = await targetDatabase(pgServerUrl()!);
    const first = await startOAuthServer(kind);
    running.push(first);
    const url = `postgres://${target.rootUser}:${target.rootPassword}@127.0.0.1:${target.port}/${target.database}`;
    expect((await first.api('PUT', '/v1/db/main', { url })).status).toBe(200);
    expect((await first.api('PUT', '/v1/db/main/roles/reader', READER_ROLE)).status).toBe(200);
    const agent = await agentWithToken(first);
    const issued = (await first.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token })).body;
    await first.stop();

    const result = await rekey(first.config, randomBytes(32));
    expect(result.counts).toMatchObject({ leases: 1, db_connections: 1 });

    const second = await restart(first);
    // The lease's revocation data opens under the new key: the role is dropped.
    expect((await second.api('POST', `/v1/leases/${issued.lease_id}/revoke`)).status).toBe(200);
    expect(await target.superuser('SELECT 1 FROM pg_roles WHERE rolname = $1', [issued.username])).toEqual([]);
    // The root URL opens too: new credentials are issued and log in.
    const fresh = await second.api('POST', '/v1/db/main/creds/reader', {}, { token: agent.token });
    expect(fresh.status).toBe(200);
    expect((await asUser(target.port, target.database, fresh.body.username, fresh.body.password, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  }, 120_000);
});
