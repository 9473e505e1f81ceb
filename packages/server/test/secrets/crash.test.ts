import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { pgServerUrl } from '../support/pg.js';
import { startServerChild } from '../support/process.js';
import { newStoreLocation, storeKinds, type TestStoreLocation } from '../support/stores.js';
import { READER_ROLE, targetDatabase } from './support.js';

/**
 * Leases survive a crash: a real, built Mandate server (dist/, as users run it) issues
 * short-lived database credentials and is killed with SIGKILL while they are live; a new
 * process on the same data revokes every one of them at (never before) its expiry, and no
 * role it issued is left in PostgreSQL.
 */
const builtCli = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'dist', 'cli', 'main.js');
const pgUrl = pgServerUrl();

const children: ChildProcess[] = [];

const startChild = (location: TestStoreLocation) => startServerChild(location, children, { built: true });

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe.skipIf(pgUrl === null || !existsSync(builtCli)).each(storeKinds())('lease crash safety (Mandate store: %s)', (kind) => {
  it('revokes every lease of a SIGKILLed server on time after restart, leaving no orphan role', async () => {
    const target = await targetDatabase(pgUrl!);
    const location = await newStoreLocation(kind);
    const first = await startChild(location);
    const token = readFileSync(join(location.dataDir, 'admin-token'), 'utf8').trim();
    const call = async (url: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: response.status, body: (await response.json()) as any };
    };
    expect((await call(first.url, 'PUT', '/v1/db/main', { url: `postgres://${target.rootUser}:${target.rootPassword}@127.0.0.1:${target.port}/${target.database}` })).status).toBe(200);
    expect((await call(first.url, 'PUT', '/v1/db/main/roles/reader', READER_ROLE)).status).toBe(200);
    const issued: Array<{ username: string; lease_id: string; expires_at: string }> = [];
    for (let i = 0; i < 3; i += 1) {
      const { status, body } = await call(first.url, 'POST', '/v1/db/main/creds/reader', { ttl: 4 });
      expect(status).toBe(200);
      issued.push(body);
    }
    const names = issued.map((c) => c.username);
    const live = async () => (await target.superuser('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [names])).map((r: { rolname: string }) => r.rolname);
    expect((await live()).sort()).toEqual([...names].sort());

    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();
    // The dead process revoked nothing: the roles are still there.
    expect((await live()).length).toBe(3);

    const second = await startChild(location);
    // Wait (by asking) until the restarted server reports every lease revoked.
    let leases: Array<{ lease_id: string; status: string; revoked_at: string | null; expires_at: string }> = [];
    for (let attempt = 0; attempt < 300; attempt += 1) {
      leases = (await call(second.url, 'GET', '/v1/leases?status=active,revoking,revoked')).body.items;
      if (leases.length === 3 && leases.every((l) => l.status === 'revoked')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(leases.map((l) => l.status)).toEqual(['revoked', 'revoked', 'revoked']);
    for (const lease of leases) {
      // On time: never before its expiry, and by the restarted process (after the kill).
      expect(Date.parse(lease.revoked_at!)).toBeGreaterThanOrEqual(Date.parse(lease.expires_at));
      expect(Date.parse(lease.revoked_at!)).toBeGreaterThanOrEqual(killedAt);
    }
    expect(await live()).toEqual([]);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
