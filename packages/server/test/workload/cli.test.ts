/**
 * `mandate cert issue|show|revoke` and `mandate ca show|rotate|bundle` against a real server:
 * the agent issues with its own token and CSR, operators show, revoke and rotate.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import { runMandate } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { agentKey, agentToken, csrFor } from './support.js';

describe('mandate cert and ca', () => {
  let server: TestServer;
  let admin: string[];
  let agent: RegisteredAgent;
  let dir: string;

  beforeAll(async () => {
    server = await startOAuthServer('sqlite');
    admin = ['--url', server.url, '--token', server.adminToken];
    agent = await registerAgent(server);
    dir = mkdtempSync(join(tmpdir(), 'mandate-cert-'));
  });
  afterAll(async () => server?.stop());

  it('issues as the agent, shows and revokes as an operator', async () => {
    const csrFile = join(dir, 'req.pem');
    writeFileSync(csrFile, await csrFor(await agentKey()));
    const asAgent = ['--url', server.url, '--token', await agentToken(server, agent)];
    const out = join(dir, 'cert.pem');
    const issued = await runMandate([...asAgent, '--json', 'cert', 'issue', '--csr', csrFile, '--out', out, '--ttl', '600']);
    expect(issued.code).toBe(0);
    const svid = JSON.parse(issued.stdout) as { serial: string; spiffe_id: string; expires_at: string };
    expect(svid.spiffe_id).toBe(`spiffe://mandate.local/agent/${agent.id}`);
    expect(new X509Certificate(readFileSync(out)).serialNumber.toLowerCase()).toBe(svid.serial);

    const list = await runMandate([...admin, 'cert', 'show', '--agent', agent.id]);
    expect(list.stdout).toContain(svid.serial);
    const one = JSON.parse((await runMandate([...admin, '--json', 'cert', 'show', svid.serial])).stdout);
    expect(one).toMatchObject({ serial: svid.serial, revoked_at: null });
    expect((await runMandate([...admin, 'cert', 'revoke', svid.serial, '--reason', 'test'])).stdout).toContain(`revoked ${svid.serial}`);
    expect(JSON.parse((await runMandate([...admin, '--json', 'cert', 'show', svid.serial])).stdout).revoke_reason).toBe('test');

    const missing = await runMandate([...asAgent, 'cert', 'issue', '--csr', join(dir, 'absent.pem')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--csr');
    // --task: the certificate ends with the task (docs/secrets.md "Tasks").
    const agentToken2 = asAgent[3]!; // the agent's access token
    const task = (await server.api('POST', '/v1/tasks', {}, { token: agentToken2 })).body;
    const withTask = JSON.parse((await runMandate([...asAgent, '--json', 'cert', 'issue', '--csr', csrFile, '--task', task.id])).stdout) as { serial: string };
    expect(JSON.parse((await runMandate([...admin, '--json', 'cert', 'show', withTask.serial])).stdout).task_id).toBe(task.id);
    await server.api('POST', `/v1/tasks/${task.id}/complete`, undefined, { token: agentToken2 });
    expect(JSON.parse((await runMandate([...admin, '--json', 'cert', 'show', withTask.serial])).stdout).revoke_reason).toBe(`task ${task.id} closed`);
    const closed = await runMandate([...asAgent, 'cert', 'issue', '--csr', csrFile, '--task', task.id]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain(`task '${task.id}' is completed`);

    const notAgent = await runMandate([...admin, 'cert', 'issue', '--csr', csrFile]);
    expect(notAgent.code).toBe(1);
    expect(notAgent.stderr).toMatch(/agents/);
  });

  it('prints the bundle as PEM and JSON, shows the CAs and rotates them', async () => {
    const pem = (await runMandate([...admin, 'ca', 'bundle'])).stdout;
    expect(new X509Certificate(pem).fingerprint256).toBe(new X509Certificate(await (await fetch(`${server.url}/v1/bundle`)).text()).fingerprint256);
    const before = JSON.parse((await runMandate([...admin, '--json', 'ca', 'show'])).stdout) as Array<{ id: string; state: string }>;
    const active = before.find((ca) => ca.state === 'active')!;
    expect(active).toBeDefined();
    const rotated = await runMandate([...admin, 'ca', 'rotate']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/active/);
    expect(rotated.stdout).toMatch(/retired/);
    // `show` reads what `rotate` changed: the CA that was signing is retired now.
    const shown = await runMandate([...admin, 'ca', 'show']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^ID\s+STATE\s+NOT_BEFORE\s+NOT_AFTER\s+REMOVE_AT$/m);
    expect(shown.stdout).toMatch(new RegExp(`^${active.id}\\s+retired\\s`, 'm'));
    const bundle = JSON.parse((await runMandate([...admin, '--json', 'ca', 'bundle'])).stdout) as { keys: unknown[] };
    expect(bundle.keys.filter((k) => (k as { use: string }).use === 'x509-svid')).toHaveLength(2);
  });
});
