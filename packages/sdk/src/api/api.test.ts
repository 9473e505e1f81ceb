/**
 * The decision and approval client against the stub server (test/stub-authorization-server.ts),
 * which stands in for Mandate's `/v1/authorize` and `/v1/approvals` here. The approvals flow also
 * runs against the real server in packages/server/test/sdk/.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MandateClient } from './mandate-client.js';
import { AgentAuthService } from '../agent/auth-service.js';
import { ManualClock } from '../shared/clock.js';
import { ApiError } from '../shared/errors.js';
import { startStubServer, type StubServer } from '../../test/stub-authorization-server.js';

let stub: StubServer;
let clock: ManualClock;
beforeEach(async () => {
  stub = await startStubServer();
  clock = new ManualClock();
});
afterEach(() => stub.close());

const resource = { type: 'file', id: 'report.pdf', owner: 'alice@example.com', sensitivity: 'internal' };
const pending = { id: 'apr_1', status: 'pending' };

describe('authorize', () => {
  it('posts the request with the agent token (audience Mandate: no resource) and returns the decision', async () => {
    stub.routes.set('POST /v1/authorize', () => ({ status: 200, body: { decision: 'allow', reasons: ['rule orders.allow'], obligations: [], decision_id: 'dec_1' } }));
    const agent = new AgentAuthService({ issuer: stub.issuer, clientId: 'mcl', clientSecret: 's', resource: 'https://api.example', scope: 'orders:read' });
    const client = new MandateClient({ baseUrl: stub.issuer, credentials: agent });
    const decision = await client.authorize({ action: 'read', tool: 'files', resource });
    expect(decision).toEqual({ decision: 'allow', reasons: ['rule orders.allow'], obligations: [], decision_id: 'dec_1' });
    const [call] = stub.requests.filter((r) => r.path === '/v1/authorize');
    expect(JSON.parse(call!.text)).toEqual({ action: 'read', tool: 'files', resource });
    expect(call!.headers.authorization).toBe('Bearer tok-0');
    const [tokenRequest] = stub.requests.filter((r) => r.path === '/oauth2/token');
    expect(tokenRequest!.form.has('resource')).toBe(false);
    expect(tokenRequest!.form.has('scope')).toBe(false);
  });

  it('turns error bodies into ApiError with the server code', async () => {
    stub.routes.set('POST /v1/authorize', () => ({ status: 403, body: { error: 'forbidden', message: 'nope', request_id: 'r' } }));
    const client = new MandateClient({ baseUrl: stub.issuer, credentials: { token: 'rs-token' } });
    const error = await client.authorize({ token: 'agent-token', action: 'read', tool: 'files', resource }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'forbidden', status: 403 });
    expect(stub.requests.find((r) => r.path === '/v1/authorize')!.headers.authorization).toBe('Bearer rs-token');
  });

  it('authorizeWithApproval waits for the human and asks again with the approval id', async () => {
    const bodies: unknown[] = [];
    stub.routes.set('POST /v1/authorize', (request) => {
      const body = JSON.parse(request.text) as { approval_id?: string };
      bodies.push(body);
      return body.approval_id === 'apr_1'
        ? { status: 200, body: { decision: 'allow', reasons: [], obligations: [], decision_id: 'dec_2' } }
        : { status: 200, body: { decision: 'approval_required', reasons: ['deletes need approval'], obligations: [], decision_id: 'dec_1', approval_id: 'apr_1' } };
    });
    let polls = 0;
    stub.routes.set('GET /v1/approvals/apr_1', () => ({ status: 200, body: { ...pending, status: ++polls < 3 ? 'pending' : 'approved' } }));
    const client = new MandateClient({ baseUrl: stub.issuer, credentials: { token: 't' }, clock });
    const result = await client.authorizeWithApproval({ action: 'delete', tool: 'files', resource }, { timeoutSeconds: 120 });
    expect(result.decision.decision).toBe('allow');
    expect(result.approval?.status).toBe('approved');
    expect(bodies).toEqual([
      { action: 'delete', tool: 'files', resource },
      { action: 'delete', tool: 'files', resource, approval_id: 'apr_1' },
    ]);
  });

  it('authorizeWithApproval returns the first decision when the human denies', async () => {
    stub.routes.set('POST /v1/authorize', () => ({ status: 200, body: { decision: 'approval_required', reasons: [], obligations: [], decision_id: 'd', approval_id: 'apr_1' } }));
    stub.routes.set('GET /v1/approvals/apr_1', () => ({ status: 200, body: { ...pending, status: 'denied' } }));
    const client = new MandateClient({ baseUrl: stub.issuer, credentials: { token: 't' }, clock });
    const result = await client.authorizeWithApproval({ action: 'delete', tool: 'files', resource }, { timeoutSeconds: 10 });
    expect(result.decision.decision).toBe('approval_required');
    expect(result.approval?.status).toBe('denied');
    expect(stub.count('/v1/authorize')).toBe(1);
  });
});

describe('approvals', () => {
  it('requestApproval posts the exact action', async () => {
    stub.routes.set('POST /v1/approvals', (request) => ({ status: 201, body: { ...pending, ...JSON.parse(request.text) } }));
    const client = new MandateClient({ baseUrl: stub.issuer, credentials: { token: 't' } });
    const approval = await client.requestApproval({ action: 'delete', tool: 'files', resource, reason: 'cleanup' });
    expect(approval).toMatchObject({ id: 'apr_1', status: 'pending', action: 'delete', reason: 'cleanup' });
  });

  it('waitForApproval long-polls with wait ≤ 25 s until the timeout, then returns the pending request', async () => {
    const waits: string[] = [];
    stub.routes.set('GET /v1/approvals/apr_1', (request) => {
      const wait = request.query.get('wait');
      waits.push(wait ?? 'none');
      // The server holds each poll for its wait: move the clock as if it had.
      clock.advance(Number(wait ?? 0) * 1000);
      return { status: 200, body: pending };
    });
    const client = new MandateClient({ baseUrl: stub.issuer, credentials: { token: 't' }, clock });
    const approval = await client.waitForApproval('apr_1', { timeoutSeconds: 60 });
    expect(approval.status).toBe('pending');
    expect(waits).toEqual(['25', '25', '10', 'none']);
  });
});
