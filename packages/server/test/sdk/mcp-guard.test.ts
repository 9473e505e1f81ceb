/**
 * The MCP guard end to end: the official MCP SDK's client (with the agent's fetch from
 * @mandate/sdk/mcp: a token for the server's canonical URI; 403 insufficient_scope → a new token
 * with more scope) against the official SDK's server on a real HTTP transport, behind the guard,
 * asking a real Mandate server. Runs on SQLite and PostgreSQL.
 *
 * The MCP SDK's own ClientCredentialsProvider works too now that the metadata lists
 * `authorization_endpoint` (its discovery requires it): sdk/mcp-people.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AgentAuthService } from '@mandate/sdk';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { APPROVAL_META_KEY, MCP_GUARD_ERRORS, mcpAgentFetch, parseWwwAuthenticateFor } from './mcp-support.js';
import { startCalendarMcp, type CalendarMcp } from '../../demo/calendar-mcp.js';
import { createOperators, auditOf } from '../approvals/support.js';
import { basic, postForm, registerAgent, registerResourceServer, startOAuthServer } from '../support/agents.js';
import { storeKinds } from '../support/stores.js';
import type { TestServer } from '../support/server.js';

const ALICE = 'alice@example.com';
const CALENDAR_AGENT = {
  name: 'calendar-assistant',
  purpose: 'calendar-management',
  owner: ALICE,
  scopes: ['calendar:read', 'calendar:delete'],
  tools: ['google-calendar-api'],
  data_classification: 'internal',
  environment: 'production',
};

/** A fetch that records token requests and 4xx challenges, for the step-up assertions. */
function recordingFetch() {
  const tokenScopes: string[] = [];
  const challenges: { status: number; header: string | null }[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/oauth2/token')) tokenScopes.push(new URLSearchParams(String(init?.body ?? '')).get('scope') ?? '');
    const response = await fetch(input, init);
    if (response.status === 401 || response.status === 403) challenges.push({ status: response.status, header: response.headers.get('www-authenticate') });
    return response;
  };
  return { fetchImpl, tokenScopes, challenges };
}

describe.each(storeKinds())('MCP guard with the official MCP SDK (%s)', (kind) => {
  let server: TestServer;
  let calendar: CalendarMcp;
  let agent: { clientId: string; clientSecret: string; id: string };
  let approver: string;

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    calendar = await startCalendarMcp({ issuer: server.url, register: (audience) => registerResourceServer(server, audience, ['calendar:read', 'calendar:delete']) });
    agent = await registerAgent(server, {}, CALENDAR_AGENT);
    approver = (await createOperators(server, `mcp${kind}`)).approver;
  });
  afterAll(async () => {
    await calendar?.close();
    await server?.stop();
  });

  async function connect() {
    const recorder = recordingFetch();
    const auth = new AgentAuthService({ issuer: server.url, clientId: agent.clientId, clientSecret: agent.clientSecret, fetch: recorder.fetchImpl });
    const client = new Client({ name: 'calendar-assistant', version: '1.0.0' });
    const fetchImpl = mcpAgentFetch(auth, { resource: calendar.url, scope: ['calendar:read'] });
    await client.connect(new StreamableHTTPClientTransport(new URL(calendar.url), { fetch: fetchImpl }));
    return { client, ...recorder };
  }

  async function rpcErrorOf(promise: Promise<unknown>): Promise<McpError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpError);
    return error as McpError;
  }

  it('serves RFC 9728 metadata at the path-inserted well-known URI; 401 names it with the scope to ask for', async () => {
    const metadataUrl = `${new URL(calendar.url).origin}/.well-known/oauth-protected-resource/mcp/calendar`;
    const metadata = await fetch(metadataUrl);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toEqual({
      resource: calendar.url,
      authorization_servers: [server.url],
      bearer_methods_supported: ['header'],
      scopes_supported: ['calendar:read', 'calendar:delete', 'calendar-events:read'],
      resource_name: 'Calendar (MCP)',
    });
    const refused = await fetch(calendar.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);
    const challenge = parseWwwAuthenticateFor(refused, 'Bearer');
    expect(challenge).toEqual({ resource_metadata: metadataUrl, scope: 'calendar:read' });
  });

  it('an allowed read reaches the tool, and the decision point logged it', async () => {
    const { client, tokenScopes } = await connect();
    const before = calendar.executed.length;
    const result = await client.callTool({ name: 'list_events', arguments: { calendar: ALICE } });
    expect(result.isError).toBeFalsy();
    expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'evt-standup' })]));
    expect(calendar.executed.length).toBe(before + 1);
    // One token, for this resource, with the initial scope only.
    expect(tokenScopes).toEqual(['calendar:read']);
    const record = calendar.calls.at(-1)!;
    expect(record).toMatchObject({ name: 'list_events', tool: 'google-calendar-api:events.list', outcome: 'allow', subject: agent.id, delegation: [] });
    const audit = await auditOf(server, record.decisionId!);
    expect(audit[0]).toMatchObject({ type: 'policy.decision', details: expect.objectContaining({ decision: 'allow' }) });
    await client.close();
  });

  it("a denied call (another user's calendar) is a JSON-RPC error with the reasons; the tool never runs", async () => {
    const { client } = await connect();
    const before = calendar.executed.length;
    const error = await rpcErrorOf(client.callTool({ name: 'list_events', arguments: { calendar: 'bob@example.com' } }));
    expect(error.code).toBe(MCP_GUARD_ERRORS.access_denied.code);
    expect(error.data).toMatchObject({ error: 'access_denied', reasons: expect.arrayContaining(['calendar_not_delegating_user']), decision_id: expect.any(String) });
    // A tool without a declaration is refused before Mandate is asked.
    const undeclared = await rpcErrorOf(client.callTool({ name: 'share_calendar', arguments: {} }));
    expect(undeclared.data).toMatchObject({ error: 'tool_not_guarded' });
    expect(calendar.executed.length).toBe(before);
    await client.close();
  });

  it('step-up: a delete needs calendar:delete → 403 insufficient_scope → the client gets a token with it; then a human must approve, and the retry with the approval id runs', async () => {
    const { client, tokenScopes, challenges } = await connect();
    const before = calendar.executed.length;
    const args = { calendar: ALICE, event_id: 'evt-dentist' };
    const held = await rpcErrorOf(client.callTool({ name: 'delete_event', arguments: args }));
    // Step-up happened first: 403 naming every scope the call needs, then a second token request with it.
    const stepUp = challenges.find((c) => c.status === 403)!;
    expect(stepUp).toBeDefined();
    expect(parseWwwAuthenticateFor({ headers: new Headers({ 'www-authenticate': stepUp.header! }) }, 'Bearer')).toMatchObject({
      error: 'insufficient_scope',
      scope: 'calendar:read calendar:delete',
      resource_metadata: expect.stringContaining('/.well-known/oauth-protected-resource/mcp/calendar'),
    });
    expect(tokenScopes).toEqual(['calendar:read', 'calendar:read calendar:delete']);
    // With the scope, policy holds the delete for a human.
    expect(held.data).toMatchObject({ error: "approval_required" });
    expect(held.code).toBe(MCP_GUARD_ERRORS.approval_required.code);
    const data = held.data as { error: string; approval_id: string; reasons: string[] };
    expect(data).toMatchObject({ error: 'approval_required', reasons: ['delete_requires_human_approval'] });
    expect(calendar.executed.length).toBe(before);

    const approved = await server.api('POST', `/v1/approvals/${data.approval_id}/approve`, { reason: 'dentist moved' }, { token: approver });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const result = await client.callTool({ name: 'delete_event', arguments: args, _meta: { [APPROVAL_META_KEY]: data.approval_id } });
    expect(result.content).toEqual([{ type: 'text', text: 'deleted evt-dentist' }]);
    expect(calendar.events(ALICE).map((e) => e.id)).not.toContain('evt-dentist');
    expect(calendar.calls.at(-1)).toMatchObject({ outcome: 'allow', approvalId: data.approval_id });

    // The approval was single use.
    const again = await rpcErrorOf(client.callTool({ name: 'delete_event', arguments: args, _meta: { [APPROVAL_META_KEY]: data.approval_id } }));
    expect(again.data).toMatchObject({ error: 'access_denied', reasons: ['approval_used'] });
    await client.close();
  });

  it('refuses what it cannot judge: batched tool calls, bad JSON, oversized bodies, arguments that name nothing', async () => {
    const token = (await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', scope: 'calendar:read', resource: calendar.url }, { authorization: basic(agent.clientId, agent.clientSecret) })).body.access_token as string;
    const post = (body: string) =>
      fetch(calendar.url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
    const call = (args: unknown, id = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'list_events', arguments: args } });
    const executed = calendar.executed.length;

    const batch = await post(JSON.stringify([call({ calendar: ALICE }, 1), call({ calendar: ALICE }, 2)]));
    expect(batch.status).toBe(400);
    expect(await batch.json()).toMatchObject({ error: { code: MCP_GUARD_ERRORS.batch_not_allowed.code, data: { error: 'batch_not_allowed' } } });
    const garbled = await post('{"jsonrpc": ');
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ error: { code: -32700 } });
    const huge = await post(JSON.stringify(call({ calendar: 'x'.repeat(1024 * 1024) })));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: 'payload_too_large', error_description: expect.stringContaining('1048576 bytes') });
    const nameless = await post(JSON.stringify(call({ calendar: '' })));
    expect(nameless.status).toBe(200);
    expect(await nameless.json()).toMatchObject({ id: 1, error: { code: -32602, data: { error: 'invalid_arguments' }, message: expect.stringContaining('non-empty strings') } });
    expect(calendar.executed.length).toBe(executed);
  });

  it('a token for another audience is refused with 401 and never passed on (the decision point is not asked)', async () => {
    await registerResourceServer(server, 'https://other.example/mcp', ['calendar:read']);
    const other = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', scope: 'calendar:read', resource: 'https://other.example/mcp' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    const mandateApi = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', scope: 'calendar:read' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    const calls = calendar.calls.length;
    const executed = calendar.executed.length;
    for (const token of [other.body.access_token as string, mandateApi.body.access_token as string]) {
      const response = await fetch(calendar.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_events', arguments: { calendar: ALICE } } }),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_token', code: 'ERR_TOKEN_AUDIENCE_INVALID' });
      expect(parseWwwAuthenticateFor(response, 'Bearer')).toMatchObject({ error: 'invalid_token', resource_metadata: expect.any(String) });
    }
    // With the official client, a fixed wrong-audience token fails the connection itself.
    const client = new Client({ name: 'calendar-assistant', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(calendar.url), { requestInit: { headers: { authorization: `Bearer ${other.body.access_token as string}` } } });
    await expect(client.connect(transport)).rejects.toThrow(/401|invalid_token|audience/);
    expect(calendar.calls.length).toBe(calls);
    expect(calendar.executed.length).toBe(executed);
  });
});
