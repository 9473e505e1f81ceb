/**
 * The SDK's approval client against the real server: an agent asks with its own OAuth token
 * (AgentAuthService), waits by long-poll, and sees the operator's decision. Runs on SQLite and
 * PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentAuthService, ApiError, MandateClient } from '@mandate/sdk';
import { storeKinds } from '../support/stores.js';
import type { TestServer } from '../support/server.js';
import { registerAgent, startOAuthServer } from './support.js';

describe.each(storeKinds())('SDK approvals against the server (%s)', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOAuthServer(kind);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const clientFor = async () => {
    const agent = await registerAgent(server);
    const auth = new AgentAuthService({ issuer: server.url, clientId: agent.clientId, clientSecret: agent.clientSecret });
    return { agent, client: new MandateClient({ baseUrl: server.url, credentials: auth }) };
  };
  const resource = { type: 'file', id: 'q3-report.pdf', owner: 'alice@example.com', sensitivity: 'internal' };

  it('requestApproval, then waitForApproval returns as soon as an operator approves', async () => {
    const { agent, client } = await clientFor();
    const approval = await client.requestApproval({ action: 'delete', tool: 'files', resource, reason: 'quarterly cleanup' });
    expect(approval).toMatchObject({ status: 'pending', agent_id: agent.id, action: 'delete', tool: 'files' });

    const waiting = client.waitForApproval(approval.id, { timeoutSeconds: 30 });
    const decided = await server.api('POST', `/v1/approvals/${approval.id}/approve`, { reason: 'fine' });
    expect(decided.status).toBe(200);
    const result = await waiting;
    expect(result.status).toBe('approved');
    expect(result.id).toBe(approval.id);
  });

  it('a denial comes back with its reason; an unknown id is an ApiError 404', async () => {
    const { client } = await clientFor();
    const approval = await client.requestApproval({ action: 'delete', tool: 'files', resource, reason: 'why not' });
    await server.api('POST', `/v1/approvals/${approval.id}/deny`, { reason: 'not today' });
    const result = await client.waitForApproval(approval.id, { timeoutSeconds: 5 });
    expect(result).toMatchObject({ status: 'denied', decision_reason: 'not today' });
    const missing = await client.getApproval('apr_does_not_exist').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404 });
  });
});
