import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { basic, postForm, registerAgent, startOAuthServer } from '../support/agents.js';
import { runMandate } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const DAY = 86_400_000;

describe.each(storeKinds())('least-privilege report on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 10, 1, 9));

  beforeAll(async () => {
    server = await startOAuthServer(kind, { clock });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reports grants unused in N days from the decision log and narrows the registration in one PATCH', async () => {
    const agent = await registerAgent(server, {
      scopes: ['calendar:read', 'calendar:write', 'files:read', 'files:delete'],
      tools: ['google-calendar-api', 'files-api:files.delete', 'files-api:files.get'],
      data_classification: 'restricted',
    });
    const token = async () => (await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) })).body.access_token as string;
    const ask = async (tool: string, action: string, type: string, sensitivity: string) =>
      (await server.api('POST', '/v1/authorize', { action, tool, resource: { type, id: 'r1', owner: 'alice@example.com', sensitivity } }, { token: await token() })).body.decision;

    // 40 days ago it tried to delete a file (outside a 30-day window; deletes need approval by
    // default, so the tool was used but no scope allowed anything); lately it reads calendars and files.
    expect(await ask('files-api:files.delete', 'delete', 'files', 'internal')).toBe('approval_required');
    clock.advance(10 * DAY);
    expect(await ask('google-calendar-api:events.list', 'read', 'calendar', 'internal')).toBe('allow');
    expect(await ask('files-api:files.get', 'read', 'files', 'confidential')).toBe('allow');
    // A denied request is a use of the tool, but no scope allowed anything.
    expect(await ask('files-api:files.get', 'write', 'files', 'public')).toBe('deny');
    clock.advance(30 * DAY - 60_000);
    await server.runtime.audit.flush();

    const report = await server.api('GET', `/v1/agents/${agent.id}/unused-permissions`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      agent_id: agent.id,
      days: 30,
      decisions_read: 3,
      complete: true,
      unused: { scopes: ['calendar:write', 'files:delete'], tools: ['files-api:files.delete'], data_classifications: ['restricted'] },
      suggested_patch: { scopes: ['calendar:read', 'files:read'], tools: ['google-calendar-api', 'files-api:files.get'], data_classification: 'confidential' },
    });
    // Over 41 days the delete counts as used.
    const longer = await server.api('GET', `/v1/agents/${agent.id}/unused-permissions?days=41`);
    expect(longer.body.unused).toMatchObject({ scopes: ['calendar:write', 'files:delete'], tools: [] });

    expect((await server.api('GET', `/v1/agents/${agent.id}/unused-permissions?days=0`)).status).toBe(400);
    expect((await server.api('GET', `/v1/agents/${agent.id}/unused-permissions?days=366`)).status).toBe(400);
    expect((await server.api('GET', '/v1/agents/agent-nobody/unused-permissions')).status).toBe(404);

    // The CLI prints it, and --apply sends the suggested patch.
    const global = ['--url', server.url, '--token', server.adminToken];
    const shown = await runMandate([...global, 'agent', 'unused', agent.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/unused_scopes\s+calendar:write, files:delete/);
    expect(shown.stdout).toContain(`apply with: mandate agent unused ${agent.id} --apply`);
    const applied = await runMandate([...global, '--json', 'agent', 'unused', agent.id, '--apply']);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ applied: true });
    const narrowed = (await server.api('GET', `/v1/agents/${agent.id}`)).body;
    expect(narrowed).toMatchObject({ scopes: ['calendar:read', 'files:read'], tools: ['google-calendar-api', 'files-api:files.get'], data_classification: 'confidential' });
    const again = await server.api('GET', `/v1/agents/${agent.id}/unused-permissions`);
    expect(again.body.suggested_patch).toBeNull();
    expect((await runMandate([...global, 'agent', 'unused', agent.id, '--days', 'ten'])).code).toBe(2);
  });
});

describe('mandate alerts', () => {
  let server: TestServer;
  let global: string[];

  beforeAll(async () => {
    server = await startOAuthServer('sqlite');
    global = ['--url', server.url, '--token', server.adminToken];
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists, shows, acknowledges and resolves, as a table and as JSON; bad choices are usage errors', async () => {
    const agent = await registerAgent(server);
    const token = (await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) })).body.access_token;
    await server.api('POST', '/v1/authorize', { action: 'send', tool: 'gmail-api:send', resource: { type: 'mail', id: 'm1' } }, { token });
    await server.runtime.audit.flush();
    await server.runtime.monitoring.idle();

    const table = await runMandate([...global, 'alerts', 'list', '--agent', agent.id]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+RAISED_AT\s+SEVERITY\s+SIGNAL/m);
    expect(table.stdout).toMatch(new RegExp(`high\\s+scope_usage\\s+event\\s+${agent.id}\\s+1`));
    const json = await runMandate([...global, '--json', 'alerts', 'list', '--agent', agent.id, '--signal', 'scope_usage']);
    const [alert] = JSON.parse(json.stdout).items as Array<{ id: string; status: string }>;
    expect(alert!.status).toBe('open');

    const shown = await runMandate([...global, 'alerts', 'show', alert!.id]);
    expect(shown.stdout).toMatch(/reason\s+tool 'gmail-api:send' is not among the agent's registered tools/);
    expect(await runMandate([...global, 'alerts', 'ack', alert!.id, '--note', 'asking the owner'])).toMatchObject({ code: 0, stdout: `alert ${alert!.id} acknowledged\n` });
    expect(await runMandate([...global, 'alerts', 'resolve', alert!.id])).toMatchObject({ code: 0, stdout: `alert ${alert!.id} resolved\n` });
    expect((await runMandate([...global, 'alerts', 'resolve', alert!.id])).code).toBe(1);
    const resolved = await runMandate([...global, '--json', 'alerts', 'list', '--status', 'resolved', '--agent', agent.id]);
    expect(JSON.parse(resolved.stdout).items[0]).toMatchObject({ id: alert!.id, note: 'asking the owner' });
    expect((await runMandate([...global, 'alerts', 'list', '--status', 'closed'])).code).toBe(2);
    expect((await runMandate([...global, 'alerts', 'list', '--signal', 'nope'])).code).toBe(2);
  });
});
