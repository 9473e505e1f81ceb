import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { createOperators, fileResource, realAgent, startOAuthServer, type Operators } from './support.js';

describe('mandate approvals', () => {
  let server: TestServer;
  let ops: Operators;
  let agentToken: string;
  let agentId: string;
  let global: string[];

  const ask = async (id: string, action = 'delete') => {
    const res = await server.api('POST', '/v1/approvals', { action, tool: 'files', resource: fileResource(id), reason: `remove ${id}` }, { token: agentToken });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    server = await startOAuthServer('sqlite', { config: { approvals: { twoPersonActions: ['admin'] } } });
    ops = await createOperators(server, 'cli');
    const agent = await realAgent(server, 'cli bot');
    agentId = agent.id;
    agentToken = await agent.token();
    global = ['--url', server.url];
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists pending requests as a table and as JSON', async () => {
    const id = await ask('cli-list.txt');
    const table = await runMandate([...global, '--token', ops.approver, 'approvals', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATUS\s+AGENT\s+ACTION/m);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+pending\\s+${agentId}\\s+delete\\s+files\\s+file:cli-list.txt`));
    const json = await runMandate([...global, '--token', ops.auditor, '--json', 'approvals', 'list', '--status', 'pending']);
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout) as { items: Array<{ id: string }>; next_cursor: string | null };
    expect(page.items.map((a) => a.id)).toContain(id);
  });

  it('shows, approves and denies, with the reason shown to the agent', async () => {
    const yes = await ask('cli-yes.txt');
    const no = await ask('cli-no.txt');
    const shown = await runMandate([...global, '--token', ops.approver, 'approvals', 'show', yes]);
    expect(shown.stdout).toMatch(/status\s+pending/);
    expect(shown.stdout).toMatch(/reason\s+remove cli-yes.txt/);
    const approved = await runMandate([...global, '--token', ops.approver, 'approvals', 'approve', yes, '--reason', 'fine']);
    expect(approved).toMatchObject({ code: 0, stdout: `approval ${yes} approved\n` });
    const denied = await runMandate([...global, '--token', ops.approver, '--json', 'approvals', 'deny', no, '--reason', 'keep it']);
    expect(denied.code).toBe(0);
    expect(JSON.parse(denied.stdout)).toMatchObject({ id: no, status: 'denied', decision_reason: 'keep it' });
    const agentView = await server.api('GET', `/v1/approvals/${no}`, undefined, { token: agentToken });
    expect(agentView.body.decision_reason).toBe('keep it');
  });

  it('reports the two-person rule and refusals with exit code 1, bad usage with 2', async () => {
    const id = await ask('cli-admin', 'admin');
    const first = await runMandate([...global, '--token', ops.approver, 'approvals', 'approve', id]);
    expect(first.stdout).toMatch(/pending \(1 of 2 approvals; needs another approver\)/);
    const again = await runMandate([...global, '--token', ops.approver, 'approvals', 'approve', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/409 conflict/);
    const auditor = await runMandate([...global, '--token', ops.auditor, 'approvals', 'approve', id]);
    expect(auditor.code).toBe(1);
    expect(auditor.stderr).toMatch(/403 forbidden/);
    const missing = await runMandate([...global, '--token', ops.approver, 'approvals', 'show', 'apr_missing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
    expect((await runMandate([...global, '--token', ops.approver, 'approvals', 'approve'])).code).toBe(2);
    expect((await runMandate([...global, '--token', ops.approver, 'approvals', 'list', '--status', 'bogus'])).code).toBe(2);
    const second = await runMandate([...global, '--token', ops.approver2, 'approvals', 'approve', id]);
    expect(second).toMatchObject({ code: 0, stdout: `approval ${id} approved\n` });
  });
});
