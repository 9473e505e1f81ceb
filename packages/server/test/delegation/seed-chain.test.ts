/**
 * The seed's delegation chain, user → A → B → C, end to end against a real Mandate server and
 * oidc-provider as the company's IdP: the user's ID token is exchanged by A, narrowed at each
 * level, the third level waits for a human's approval bound to that exact exchange, a fourth
 * is refused, the decision point sees the chain, and revoking A's link revokes everything below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { IDP_CLIENT, startCompanyIdp, type CompanyIdp } from './company-idp.js';
import { claimsOf, exchange, ID_TOKEN, introspect, SEED_AGENTS } from './support.js';

describe.each(storeKinds())('the seed chain user → A → B → C on %s', (kind) => {
  let server: TestServer;
  let idp: CompanyIdp;
  const clock = new ManualClock(Date.now());
  const agents = {} as Record<keyof typeof SEED_AGENTS, RegisteredAgent>;
  const tokens = {} as Record<'A' | 'B' | 'C', string>;

  beforeAll(async () => {
    idp = await startCompanyIdp();
    server = await startOAuthServer(kind, { clock });
    for (const [name, profile] of Object.entries(SEED_AGENTS)) agents[name as keyof typeof SEED_AGENTS] = await registerAgent(server, { ...profile, name: `agent-${name}` });
    const added = await server.api('POST', '/v1/idps', { issuer: idp.issuer, jwks_uri: idp.jwksUri, audiences: [IDP_CLIENT.id], name: 'Company IdP' });
    expect(added.status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    await idp?.stop();
  });

  it("A exchanges the user's ID token from the company IdP: sub is the user, act names A, depth 1", async () => {
    const idToken = await idp.signIn('john.doe@company.com');
    const response = await exchange(server, agents.A, idToken, { subject_token_type: ID_TOKEN, scope: SEED_AGENTS.A.scopes.join(' ') });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: 'calendar:* calendar-events:* email:*' });
    tokens.A = response.body.access_token;
    const claims = claimsOf(tokens.A);
    expect(claims).toMatchObject({ sub: 'john.doe@company.com', client_id: agents.A.clientId, act: { sub: agents.A.id, client_id: agents.A.clientId } });
    expect(claims.delegation).toMatchObject({ depth: 1, parents: [], root: { sub: 'john.doe@company.com', iss: idp.issuer } });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(900);
  });

  it('B gets read-only calendar from A; asking for email (not registered) or a loop is refused by name', async () => {
    const email = await exchange(server, agents.B, tokens.A, { scope: 'calendar:read email:read' });
    expect(email.status).toBe(400);
    expect(email.body).toMatchObject({ error: 'invalid_scope' });
    expect(email.body.error_description).toMatch(/^\[scope_not_registered\].*email:read/);
    const loop = await exchange(server, agents.A, tokens.A, { scope: 'calendar:read' });
    expect(loop.body.error_description).toMatch(/^\[actor_in_chain\]/);

    const response = await exchange(server, agents.B, tokens.A, { scope: 'calendar:read calendar-events:read' });
    expect(response.status).toBe(200);
    tokens.B = response.body.access_token;
    const claims = claimsOf(tokens.B);
    const parentExp = claimsOf(tokens.A).exp;
    expect(claims.exp).toBeLessThanOrEqual(parentExp);
    expect(claims).toMatchObject({ sub: 'john.doe@company.com', act: { sub: agents.B.id, act: { sub: agents.A.id } } });
    expect(claims.delegation).toMatchObject({ depth: 2, chain_id: claimsOf(tokens.A).delegation.chain_id, parents: [claimsOf(tokens.A).jti] });
  });

  it('C must halve B (the reduction rule), then waits for a human at depth 3 and retries with the approval id', async () => {
    const wide = await exchange(server, agents.C, tokens.B, { scope: 'calendar:read calendar-events:read' });
    expect(wide.status).toBe(400);
    expect(wide.body.error).toBe('invalid_scope');
    expect(wide.body.error_description).toMatch(/^\[insufficient_reduction\].*50 %.*holds 2, so at most 1/);

    const first = await exchange(server, agents.C, tokens.B, { scope: 'calendar-events:read' });
    expect(first.status).toBe(400);
    expect(first.body).toMatchObject({ error: 'authorization_pending', approval_id: expect.stringMatching(/^apr_/) });
    const approvalId = first.body.approval_id as string;
    // Asking again before the decision reuses the same request.
    const again = await exchange(server, agents.C, tokens.B, { scope: 'calendar-events:read' });
    expect(again.body.approval_id).toBe(approvalId);
    const pending = await exchange(server, agents.C, tokens.B, { scope: 'calendar-events:read', approval_id: approvalId });
    expect(pending.body).toMatchObject({ error: 'authorization_pending', approval_id: approvalId });

    const request = await server.api('GET', `/v1/approvals/${approvalId}`);
    expect(request.body).toMatchObject({ origin: 'delegation', agent_id: agents.C.id, on_behalf_of: 'john.doe@company.com', action: 'delegate' });
    // The approval is bound to this exact exchange: another scope set does not match it.
    expect((await server.api('POST', `/v1/approvals/${approvalId}/approve`, { reason: 'one event lookup is fine' })).status).toBe(200);
    const other = await exchange(server, agents.C, tokens.B, { scope: 'calendar:read', approval_id: approvalId });
    expect(other.body.error_description).toMatch(/^\[approval_refused\].*different request/);

    const approved = await exchange(server, agents.C, tokens.B, { scope: 'calendar-events:read', approval_id: approvalId });
    expect(approved.status).toBe(200);
    tokens.C = approved.body.access_token;
    const claims = claimsOf(tokens.C);
    expect(claims).toMatchObject({ sub: 'john.doe@company.com', scope: 'calendar-events:read', act: { sub: agents.C.id, act: { sub: agents.B.id, act: { sub: agents.A.id } } } });
    expect(claims.delegation).toMatchObject({ depth: 3, parents: [claimsOf(tokens.A).jti, claimsOf(tokens.B).jti] });
    const replay = await exchange(server, agents.C, tokens.B, { scope: 'calendar-events:read', approval_id: approvalId });
    expect(replay.body.error_description).toMatch(/^\[approval_refused\].*already been used/);
  });

  it('refuses malformed exchanges with invalid_request naming the parameter', async () => {
    const missing = await exchange(server, agents.B, '', {});
    expect(missing.body).toMatchObject({ error: 'invalid_request', error_description: "missing required parameter 'subject_token'" });
    const type = await exchange(server, agents.B, tokens.A, { subject_token_type: 'urn:example:saml' });
    expect(type.body.error_description).toMatch(/subject_token_type must be one of/);
    const targets = await exchange(server, agents.B, tokens.A, { resource: 'https://a.example', audience: 'https://b.example' });
    expect(targets.body.error_description).toMatch(/resource and audience name different targets/);
    const notJwt = await exchange(server, agents.B, 'opaque-token', {});
    expect(notJwt.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/^\[token_invalid\]/) });
    const actor = await exchange(server, agents.B, tokens.A, { scope: 'calendar:read', actor_token: tokens.A, actor_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
    expect(actor.body.error_description).toMatch(/actor token belongs to another agent/);
  });

  it('refuses a fourth level (delegation.maxDepth 3)', async () => {
    const deeper = await exchange(server, agents.D, tokens.C, { scope: 'calendar-events:read' });
    expect(deeper).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(deeper.body.error_description).toMatch(/^\[depth_exceeded\].*4 deep; the limit is 3/);
  });

  it("the decision point sees the chain: C reads the root user's event, not another user's", async () => {
    const ask = (owner: string) =>
      server.api(
        'POST',
        '/v1/authorize',
        { action: 'read', tool: 'google-calendar-api:events.get', resource: { type: 'calendar-events', id: 'evt-42', owner, sensitivity: 'internal' } },
        { token: tokens.C },
      );
    const own = await ask('john.doe@company.com');
    expect(own.body).toMatchObject({ decision: 'allow' });
    const other = await ask('mary@company.com');
    expect(other.body.decision).toBe('deny');
    expect(other.body.reasons).toContain('cross_user_without_admin_scope');
  });

  it('the audit log lists everything done under the chain root: each exchange with the whole chain, and the decisions', async () => {
    const chainId = claimsOf(tokens.A).delegation.chain_id as string;
    const { body } = await server.api('GET', `/v1/audit?chain_id=${chainId}&order=asc`);
    const issued = body.items.filter((e: any) => e.type === 'oauth.token.issued');
    expect(issued.map((e: any) => e.details.delegation.depth)).toEqual([1, 2, 3]);
    expect(issued[2].details.delegation).toMatchObject({
      depth: 3,
      root: 'john.doe@company.com',
      root_issuer: idp.issuer,
      chain_id: chainId,
      chain: ['john.doe@company.com', agents.A.id, agents.B.id, agents.C.id],
      pairs: { child: 1, parent: 2 },
    });
    const decisions = body.items.filter((e: any) => e.type === 'policy.decision');
    expect(decisions).toHaveLength(2);
    expect(decisions[0].details.input.delegation).toMatchObject({ root_user: 'john.doe@company.com', depth: 3, chain_id: chainId });
    expect(body.items.every((e: any) => e.type === 'oauth.token.issued' || e.type === 'policy.decision')).toBe(true);
    expect((await server.api('GET', '/v1/audit?chain_id=dch_unknown')).body.items).toEqual([]);
  });

  it("revoking A's token revokes B's and C's at once (introspection)", async () => {
    for (const token of [tokens.A, tokens.B, tokens.C]) expect((await introspect(server, token)).active).toBe(true);
    const response = await fetch(`${server.url}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${server.adminToken}` },
      body: new URLSearchParams({ token: tokens.A }).toString(),
    });
    expect(response.status).toBe(200);
    for (const token of [tokens.A, tokens.B, tokens.C]) expect((await introspect(server, token)).active).toBe(false);
  });

  it("suspending A revokes every token below it; a user's token from an untrusted, expired or tampered source is refused", async () => {
    const idToken = await idp.signIn('john.doe@company.com');
    const a = (await exchange(server, agents.A, idToken, { subject_token_type: ID_TOKEN, scope: SEED_AGENTS.A.scopes.join(' ') })).body.access_token as string;
    const b = (await exchange(server, agents.B, a, { scope: 'calendar-events:read' })).body.access_token as string;
    expect((await introspect(server, b)).active).toBe(true);
    expect((await server.api('POST', `/v1/agents/${agents.A.id}/suspend`, { reason: 'cascade test' })).status).toBe(200);
    expect((await introspect(server, b)).active).toBe(false);
    expect((await server.api('POST', `/v1/agents/${agents.A.id}/resume`, {})).status).toBe(200);

    // Tampered: the payload names another user, the IdP's signature is kept.
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const forged = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'ceo@company.com' };
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    const bad = await exchange(server, agents.B, tampered, { subject_token_type: ID_TOKEN, scope: 'calendar:read' });
    expect(bad.body.error).toBe('invalid_grant');
    expect(bad.body.error_description).toMatch(/^\[token_invalid\].*ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);

    const stranger = await idp.sign({ iss: 'https://idp.elsewhere.example', sub: 'eve', aud: IDP_CLIENT.id, exp: Math.floor(Date.now() / 1000) + 60 }, 'JWT');
    const untrusted = await exchange(server, agents.B, stranger, { subject_token_type: ID_TOKEN, scope: 'calendar:read' });
    expect(untrusted.body.error_description).toMatch(/^\[untrusted_issuer\].*idp\.elsewhere/);

    clock.advance(2 * 3_600_000);
    const expired = await exchange(server, agents.B, idToken, { subject_token_type: ID_TOKEN, scope: 'calendar:read' });
    expect(expired.body.error_description).toMatch(/^\[token_invalid\].*ERR_JWT_EXPIRED/);
  });
});
