import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { pgServerUrl } from '../support/pg.js';
import type { TestServer } from '../support/server.js';
import { startOAuthServer } from '../support/agents.js';
import { runCliProcess } from '../cli/support/spawn.js';
import { agentWithToken, DatabaseRelay, READER_ROLE, targetDatabase } from './support.js';

const pgUrl = pgServerUrl();

/** `mandate secrets|db|task` as a user runs them (the real CLI against a real server). */
describe.skipIf(pgUrl === null)('mandate secrets, db and task', () => {
  let server: TestServer;
  let global: string[];
  let target: Awaited<ReturnType<typeof targetDatabase>>;
  const run = (...args: string[]) => runMandate([...global, ...args]);

  beforeAll(async () => {
    server = await startOAuthServer('sqlite');
    global = ['--url', server.url, '--token', server.adminToken];
    target = await targetDatabase(pgUrl!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('secrets put|get|list|versions|delete', async () => {
    expect(await run('secrets', 'put', 'cli/app', 'user=svc', 'pass=s3cret')).toMatchObject({ code: 0, stdout: 'cli/app version 1\n' });
    expect((await run('secrets', 'put', 'cli/app', 'pass=new', '--cas', '1')).stdout).toBe('cli/app version 2\n');
    expect((await run('secrets', 'put', 'cli/app', 'pass=x', '--cas', '1')).code).toBe(1);
    expect((await run('secrets', 'get', 'cli/app', '--field', 'pass')).stdout).toBe('new\n');
    expect(JSON.parse((await run('--json', 'secrets', 'get', 'cli/app', '--at-version', '1')).stdout).data).toEqual({ user: 'svc', pass: 's3cret' });
    expect(JSON.parse((await run('--json', 'secrets', 'list', 'cli/')).stdout)).toEqual({ paths: ['cli/app'] });
    expect((await run('secrets', 'delete', 'cli/app', '--versions', '1', '--destroy')).stdout).toBe('cli/app: destroyed version(s) 1\n');
    const versions = JSON.parse((await run('--json', 'secrets', 'versions', 'cli/app')).stdout);
    expect(versions.versions.map((v: { destroyed: boolean }) => v.destroyed)).toEqual([true, false]);
    expect((await run('secrets', 'put', 'cli/app', 'novalue')).code).toBe(2);
  });

  it('db config|role|creds|leases|revoke and task open|complete', async () => {
    const url = `postgres://${target.rootUser}:${target.rootPassword}@127.0.0.1:${target.port}/${target.database}`;
    // From a file: the root password stays off the command line.
    const urlFile = join(mkdtempSync(join(tmpdir(), 'mandate-db-url-')), 'url');
    writeFileSync(urlFile, `${url}\n`, { mode: 0o600 });
    const fromFile = await run('--json', 'db', 'config', 'viafile', '--url-file', urlFile);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ name: 'viafile', username: target.rootUser });
    expect((await run('db', 'config', 'viafile', '--url', url, '--url-file', urlFile)).code).toBe(2);
    const configured = await run('--json', 'db', 'config', 'main', '--url', url, '--rotate-root');
    expect(configured.code).toBe(0);
    expect(configured.stdout).not.toContain(target.rootPassword);
    expect(JSON.parse(configured.stdout)).toMatchObject({ name: 'main', username: target.rootUser });
    const role = await run('db', 'role', 'main', 'reader', '--creation-sql', `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`, '--creation-sql', 'GRANT SELECT ON items TO "{{name}}"', '--max-ttl', '600');
    expect(role.code).toBe(0);
    const creds = JSON.parse((await run('--json', 'db', 'creds', 'main', 'reader', '--ttl', '120')).stdout);
    expect(creds).toMatchObject({ ttl: 120, lease_id: expect.stringMatching(/^lease_/) });
    const leases = JSON.parse((await run('--json', 'db', 'leases', '--prefix', 'db/main/')).stdout).items;
    expect(leases.map((l: { lease_id: string }) => l.lease_id)).toContain(creds.lease_id);
    const renewed = await run('db', 'renew', creds.lease_id, '--increment', '300');
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(renewed.stdout).toMatch(new RegExp(`^${creds.lease_id} renewed: expires \\S+, in (299|300) s\n$`));
    // The role's max TTL (600 s) caps a renewal, and the answer says so.
    const capped = await run('db', 'renew', creds.lease_id, '--increment', '100000');
    expect(capped.stdout).toContain('(its max TTL: renewing again cannot extend it)');
    const lease = JSON.parse((await run('--json', 'db', 'renew', creds.lease_id, '--increment', '100000')).stdout);
    expect(lease).toMatchObject({ lease_id: creds.lease_id, status: 'active' });
    expect(lease.expires_at).toBe(lease.max_expires_at);
    // Without --increment: the server's default (60 s) from now.
    expect(JSON.parse((await run('--json', 'db', 'renew', creds.lease_id)).stdout).ttl).toBeLessThanOrEqual(60);
    expect((await run('db', 'renew', creds.lease_id, '--increment', 'soon')).code).toBe(2);
    expect((await run('db', 'revoke', creds.lease_id)).stdout).toBe(`${creds.lease_id} revoked\n`);
    const gone = await run('db', 'renew', creds.lease_id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/409.*cannot be renewed/);
    expect((await target.superuser('SELECT 1 FROM pg_roles WHERE rolname = $1', [creds.username])).length).toBe(0);
    expect((await run('db', 'revoke')).code).toBe(2);

    const agent = await agentWithToken(server);
    const task = JSON.parse((await run('--json', 'task', 'open', '--agent', agent.id, '--ttl', '600')).stdout);
    const forTask = JSON.parse((await run('--json', 'db', 'creds', 'main', 'reader', '--task', task.id)).stdout);
    expect(forTask.lease_id).toMatch(/^lease_/);
    expect(JSON.parse((await run('--json', 'task', 'show', task.id)).stdout)).toMatchObject({ id: task.id, agent_id: agent.id, status: 'open' });
    const done = await run('task', 'complete', task.id);
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(`task ${task.id} completed; revoked: lease ${forTask.lease_id}\n`);
    const shown = await run('task', 'show', task.id);
    expect(shown.stdout).toMatch(new RegExp(`^id\\s+${task.id}$`, 'm'));
    expect(shown.stdout).toMatch(/^status\s+completed$/m);
    expect((await run('task', 'show', 'task_nope')).code).toBe(1);
  });

  /**
   * A revocation that cannot finish: the database sits behind a TCP relay that is closed (the
   * PostgreSQL is real; only the path to it is cut), so each lease stays `revoking` and the lease
   * manager keeps retrying. The command did not do what it was asked: exit 1, in text and --json.
   */
  it('db revoke exits 1 while a revocation is still being retried, by id or by agent, in text and --json', async () => {
    const relay = new DatabaseRelay(target.port);
    await relay.up();
    try {
      const root = `relay_${Math.random().toString(36).slice(2, 8)}`;
      await target.superuser(`CREATE ROLE ${root} WITH LOGIN SUPERUSER PASSWORD 'relaypw'`);
      expect((await run('db', 'config', 'relayed', '--url', `postgres://${root}:relaypw@127.0.0.1:${relay.port}/${target.database}`, '--rotation-period', '0')).code).toBe(0);
      expect((await run('db', 'role', 'relayed', 'reader', ...READER_ROLE.creation_statements.flatMap((sql) => ['--creation-sql', sql]))).code).toBe(0);
      const agent = await agentWithToken(server);
      const issue = async () => (await server.api('POST', '/v1/db/relayed/creds/reader', {}, { token: agent.token })).body.lease_id as string;
      const [one, two] = [await issue(), await issue()];
      await relay.down();

      const single = await run('db', 'revoke', one);
      expect(single.code).toBe(1);
      expect(single.stdout).toMatch(new RegExp(`^${one} revoking \\(retrying: .+\\)\n$`));
      expect(single.stderr).toBe(`error: 1 lease(s) not revoked yet, still being retried: ${one} (see mandate db leases --status revoking)\n`);

      const json = await run('--json', 'db', 'revoke', '--agent', agent.id);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ revoked: [], retrying: expect.arrayContaining([one, two]) });
      expect(json.stderr).toContain('still being retried');

      // The binary itself (main.ts sets the process's exit code from runCli's, and nothing else does).
      const text = await runCliProcess([...global, 'db', 'revoke', '--agent', agent.id]);
      expect(text.code).toBe(1);
      expect(text.stdout).toBe('revoked 0 lease(s)\n');
      expect(text.stderr).toMatch(/^error: 2 lease\(s\) not revoked yet, still being retried: lease_\S+, lease_\S+ /);

      await relay.up();
      expect(await run('db', 'revoke', '--agent', agent.id)).toMatchObject({ code: 0, stdout: 'revoked 2 lease(s)\n' });
    } finally {
      await relay.down();
    }
  });
});
