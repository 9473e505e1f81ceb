import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { runMandate } from '../support/cli.js';
import { registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';

describe('mandate token, keys and resource-server', () => {
  let server: TestServer;
  let global: string[];
  let agent: RegisteredAgent;
  beforeAll(async () => {
    server = await startOAuthServer('sqlite');
    global = ['--url', server.url, '--token', server.adminToken];
    agent = await registerAgent(server);
  });
  afterAll(async () => server?.stop());

  it('registers a resource server, gets a token for it, introspects and revokes it', async () => {
    const created = await runMandate([...global, '--json', 'resource-server', 'create', '--audience', 'https://cal.example.com', '--name', 'Cal', '--scope', 'calendar.read']);
    expect(created.code).toBe(0);
    const rs = JSON.parse(created.stdout) as { resource_server: { id: string }; client_secret: string };
    expect(rs.client_secret).toBeTruthy();
    const list = await runMandate([...global, 'resource-server', 'list']);
    expect(list.stdout).toMatch(/https:\/\/cal\.example\.com\s+calendar\.read/);

    const got = await runMandate(['--url', server.url, 'token', '--client-id', agent.clientId, '--client-secret', agent.clientSecret, '--resource', 'https://cal.example.com']);
    expect(got.code).toBe(0);
    const token = got.stdout.trim();
    expect(decodeJwt(token)).toMatchObject({ aud: 'https://cal.example.com', scope: 'calendar.read', sub: agent.id });

    const info = await runMandate([...global, '--json', 'token', 'introspect', token]);
    expect(JSON.parse(info.stdout)).toMatchObject({ active: true, sub: agent.id });
    expect((await runMandate([...global, 'token', 'revoke', token])).code).toBe(0);
    expect(JSON.parse((await runMandate([...global, '--json', 'token', 'introspect', token])).stdout)).toEqual({ active: false });

    expect((await runMandate([...global, 'resource-server', 'delete', rs.resource_server.id])).code).toBe(0);
    const gone = await runMandate(['--url', server.url, 'token', '--client-id', agent.clientId, '--client-secret', agent.clientSecret, '--resource', 'https://cal.example.com']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/400 invalid_target/);
  });

  it('gets a token that ends with a task (--task), and says why a task is refused', async () => {
    const login = ['--url', server.url, 'token', '--client-id', agent.clientId, '--client-secret', agent.clientSecret];
    const own = (await runMandate(login)).stdout.trim();
    const task = (await server.api('POST', '/v1/tasks', {}, { token: own })).body as { id: string };
    const got = await runMandate([...login, '--task', task.id]);
    expect(got.code).toBe(0);
    expect(decodeJwt(got.stdout.trim())).toMatchObject({ task_id: task.id, sub: agent.id });
    const unknown = await runMandate([...login, '--task', 'task_nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/400 invalid_request.*task_id 'task_nope' is not a task of this agent/);
  });

  it('exits 1 on a wrong secret and 2 without credentials', async () => {
    const wrong = await runMandate(['--url', server.url, 'token', '--client-id', agent.clientId, '--client-secret', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401 invalid_client/);
    expect((await runMandate(['--url', server.url, 'token'])).code).toBe(2);
  });

  it('lists and rotates keys', async () => {
    const before = JSON.parse((await runMandate([...global, '--json', 'keys', 'list'])).stdout) as Array<{ state: string }>;
    expect(before.map((k) => k.state)).toEqual(['active']);
    const rotated = await runMandate([...global, 'keys', 'rotate']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/pending/);
    const table = await runMandate([...global, 'keys', 'list']);
    expect(table.stdout).toMatch(/^KID\s+ALG\s+STATE/m);
  });
});
