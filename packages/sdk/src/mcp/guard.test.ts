/**
 * The guard's own behaviour with tokens the running build cannot issue yet (delegated ones with
 * nested `act`) and failures a healthy server does not produce (the decision point erroring):
 * the stub authorization server (test/stub-authorization-server.ts) stands in for Mandate here.
 * The guard against the real server and the official MCP client is
 * packages/server/test/sdk/mcp-guard.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStubServer, type RecordedRequest, type StubServer } from '../../test/stub-authorization-server.js';
import { parseWwwAuthenticate } from '../shared/www-authenticate.js';
import { APPROVAL_META_KEY, MCP_GUARD_ERRORS } from './errors.js';
import { mcpGuard, type GuardAuthInfo, type McpGuard, type ToolCallRecord } from './guard.js';

let stub: StubServer;
let http: Server;
let guard: McpGuard;
let resource: string;
const passed: GuardAuthInfo[] = [];
const records: ToolCallRecord[] = [];
let decisions: RecordedRequest[] = [];

beforeAll(async () => {
  stub = await startStubServer();
  http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  resource = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  guard = mcpGuard({
    issuer: stub.issuer,
    resource,
    credentials: { clientId: 'rs_mcp', clientSecret: 'secret' },
    tools: {
      lookup_event: {
        tool: 'google-calendar-api:events.get',
        action: 'read',
        resource: (args) => ({ type: 'calendar', id: String(args.event_id), owner: 'alice@example.com', sensitivity: 'internal' }),
        context: (args) => ({ reason: String(args.reason ?? '') }),
        scopes: ['calendar:read'],
      },
    },
    initialScopes: ['calendar:read'],
    onToolCall: (record) => records.push(record),
    verifier: { revocation: { credentials: { clientId: 'rs_mcp', clientSecret: 'secret' }, waitSeconds: 1 } },
  });
  http.on(
    'request',
    guard.listener(async (req, res) => {
      passed.push(req.auth);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { ran: true } }));
    }),
  );
});
afterAll(async () => {
  await guard.close();
  await new Promise((resolve) => http.close(resolve));
  await stub.close();
});
beforeEach(() => {
  passed.length = 0;
  records.length = 0;
  decisions = [];
  stub.routes.set('POST /v1/authorize', (request) => {
    decisions.push(request);
    return { status: 200, body: { decision: 'allow', reasons: [], obligations: [], decision_id: 'dec_1' } };
  });
});

function token(extra: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return stub.sign({ iss: stub.issuer, sub: 'agt_c', aud: resource, iat: now, exp: now + 300, jti: crypto.randomUUID(), client_id: 'agt_c', scope: 'calendar:read', ...extra });
}

function post(bearer: string, message: unknown): Promise<Response> {
  return fetch(resource, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(message) });
}

const lookup = (meta?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'lookup_event', arguments: { event_id: 'evt-1', reason: 'prep' }, ...(meta ? { _meta: meta } : {}) },
});

describe('McpGuard', () => {
  it('asks the decision point as the resource server with the agent token, the mapping and the approval id; logs the delegation chain', async () => {
    const delegated = await token({ sub: 'alice@example.com', act: { sub: 'agt_c', act: { sub: 'agt_b', act: { sub: 'agt_a' } } } });
    const response = await post(delegated, lookup({ [APPROVAL_META_KEY]: 'apr_1' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { ran: true } });

    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.headers.authorization).toBe(`Basic ${Buffer.from('rs_mcp:secret').toString('base64')}`);
    expect(JSON.parse(decisions[0]!.text)).toEqual({
      action: 'read',
      tool: 'google-calendar-api:events.get',
      resource: { type: 'calendar', id: 'evt-1', owner: 'alice@example.com', sensitivity: 'internal' },
      context: { reason: 'prep' },
      token: delegated,
      approval_id: 'apr_1',
    });
    expect(records).toEqual([expect.objectContaining({ name: 'lookup_event', outcome: 'allow', decisionId: 'dec_1', subject: 'alice@example.com' })]);
    expect(records[0]!.delegation.map((actor) => actor.sub)).toEqual(['agt_c', 'agt_b', 'agt_a']);
    // The MCP transport gets the SDK's AuthInfo, with the decision for the tool handler.
    expect(passed[0]).toMatchObject({ token: delegated, clientId: 'agt_c', scopes: ['calendar:read'], resource: new URL(resource) });
    expect(passed[0]!.extra.mandate.decision).toMatchObject({ decision: 'allow', decision_id: 'dec_1' });
  });

  it('passes requests that are not tool calls with the verified token, without asking for a decision', async () => {
    const response = await post(await token(), { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(response.status).toBe(200);
    expect(decisions).toHaveLength(0);
    expect(passed[0]!.extra.mandate.decision).toBeUndefined();
  });

  it('fails closed when the decision point errors: a JSON-RPC error, the tool never runs', async () => {
    stub.routes.set('POST /v1/authorize', () => ({ status: 500, body: { error: 'internal' } }));
    const response = await post(await token(), lookup());
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 7, error: { code: MCP_GUARD_ERRORS.decision_unavailable.code, message: MCP_GUARD_ERRORS.decision_unavailable.message, data: { error: 'decision_unavailable' } } });
    expect(passed).toHaveLength(0);
    expect(records[0]).toMatchObject({ outcome: 'unavailable' });
  });

  it('turns an invalid_token decision (revoked since the local check) into a 401 challenge', async () => {
    stub.routes.set('POST /v1/authorize', () => ({ status: 200, body: { decision: 'deny', reasons: ['invalid_token'], obligations: [], decision_id: 'dec_2' } }));
    const response = await post(await token(), lookup());
    expect(response.status).toBe(401);
    expect(parseWwwAuthenticate(response.headers.get('www-authenticate'))[0]!.params).toMatchObject({ error: 'invalid_token', scope: 'calendar:read' });
    expect(passed).toHaveLength(0);
  });

  it('answers a step-up 403 before asking the decision point when the token lacks the tool scope', async () => {
    const response = await post(await token({ scope: 'calendar:other' }), lookup());
    expect(response.status).toBe(403);
    expect(parseWwwAuthenticate(response.headers.get('www-authenticate'))[0]!.params).toMatchObject({ error: 'insufficient_scope', scope: 'calendar:other calendar:read' });
    expect(decisions).toHaveLength(0);
    expect(records[0]).toMatchObject({ outcome: 'insufficient_scope', reasons: ['scope_missing:calendar:read'] });
  });

  it('serves only GET on the metadata path and 404 elsewhere', async () => {
    const origin = new URL(resource).origin;
    expect((await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${origin}/elsewhere`)).status).toBe(404);
  });
});
