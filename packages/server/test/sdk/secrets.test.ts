/**
 * The SDK's secrets, database-credential and task clients against the real server and a real
 * PostgreSQL target: `secrets.get`, `db.credentials` with renew and revoke, and the rotating pg
 * pool, which moves to fresh credentials before the old ones expire. The pool gets node-postgres'
 * own Pool class (the SDK does not depend on pg).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentAuthService, ApiError, MandateClient, rotatingPgPool, type Sleeper } from '@mandate/sdk';
import { pgServerUrl } from '../support/pg.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { startOAuthServer } from '../support/agents.js';
import { READER_ROLE, SECRETS_AGENT, targetDatabase } from '../secrets/support.js';
import { registerAgent } from '../support/agents.js';

const pgUrl = pgServerUrl();

describe.skipIf(pgUrl === null).each(storeKinds())('SDK secrets and database credentials (%s)', (kind) => {
  let server: TestServer;
  let target: Awaited<ReturnType<typeof targetDatabase>>;
  let client: MandateClient;
  const roleExists = async (name: string) => (await target.superuser('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length > 0;

  beforeAll(async () => {
    target = await targetDatabase(pgUrl!);
    server = await startOAuthServer(kind);
    await server.api('PUT', '/v1/db/main', { url: `postgres://${target.rootUser}:${target.rootPassword}@127.0.0.1:${target.port}/${target.database}` });
    await server.api('PUT', '/v1/db/main/roles/reader', { ...READER_ROLE, max_ttl: 120 });
    await server.api('PUT', '/v1/secrets/services/mail', { data: { api_key: 'sdk-key' } });
    const agent = await registerAgent(server, {}, SECRETS_AGENT);
    client = new MandateClient({ baseUrl: server.url, credentials: new AgentAuthService({ issuer: server.url, clientId: agent.clientId, clientSecret: agent.clientSecret }) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('secrets.get reads what policy allows; a missing secret is an ApiError 404', async () => {
    expect(await client.secrets.get('services/mail')).toMatchObject({ path: 'services/mail', version: 1, data: { api_key: 'sdk-key' } });
    await expect(client.secrets.get('services/none')).rejects.toMatchObject({ status: 404 });
  });

  it('db.credentials log in; renew extends within the max TTL; revoke drops the role', async () => {
    const creds = await client.db.credentials('main', 'reader', { ttl: 30 });
    const db = new pg.Client({ host: '127.0.0.1', port: target.port, database: target.database, user: creds.username, password: creds.password });
    await db.connect();
    expect((await db.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 1 }]);
    await db.end();
    const before = creds.expiresAt.getTime();
    const after = (await creds.renew(60)).getTime();
    expect(after).toBeGreaterThan(before);
    const capped = await creds.renew(10_000);
    expect(capped.getTime() - Date.now()).toBeLessThanOrEqual(120_000);
    expect((await client.db.leases()).map((l) => l.lease_id)).toContain(creds.leaseId);
    await creds.revoke();
    expect(await roleExists(creds.username)).toBe(false);
    await expect(creds.renew()).rejects.toBeInstanceOf(ApiError);
  });

  it('the rotating pool switches to fresh credentials before expiry and revokes its lease on close', async () => {
    const waits: number[] = [];
    let wake: (() => void) | null = null;
    // The refresh loop's waits are handed to the test: it decides when "before expiry" has come.
    const sleep: Sleeper = (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        waits.push(ms);
        wake = resolve;
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const pool = await rotatingPgPool({
      credentials: () => client.db.credentials('main', 'reader', { ttl: 30 }),
      Pool: pg.Pool,
      pool: { host: '127.0.0.1', port: target.port, database: target.database, max: 2 },
      sleep,
    });
    const first = pool.credentials.username;
    expect((await pool.query<pg.QueryResult>('SELECT current_user AS u')).rows).toEqual([{ u: first }]);
    // It plans to refresh when a third of the 30 s lease is left (about 20 s from now).
    expect(waits[0]).toBeGreaterThan(15_000);
    expect(waits[0]).toBeLessThanOrEqual(20_000);
    wake!();
    for (let i = 0; i < 100 && pool.credentials.username === first; i += 1) await new Promise((r) => setTimeout(r, 20));
    const second = pool.credentials.username;
    expect(second).not.toBe(first);
    expect((await pool.query<pg.QueryResult>('SELECT current_user AS u')).rows).toEqual([{ u: second }]);
    await pool.close();
    expect(await roleExists(second)).toBe(false);
  });
});
