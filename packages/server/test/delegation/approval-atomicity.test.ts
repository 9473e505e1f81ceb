/**
 * A delegated token's record commits as one: its chain link, its issuance audit entry and (for a
 * step beyond the approval depth) the human approval it spends. A failure in between leaves
 * nothing behind: no link, no entry, and the approval still approved, so the agent's retry with
 * the same `approval_id` gets its token. Real server and PostgreSQL/SQLite, real HTTP, the
 * company IdP (oidc-provider) at the root. A crash at that point cannot be produced on cue, so
 * the failure is injected: the audit write carrying the token's issuance entry throws once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../src/audit/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { IDP_CLIENT, startCompanyIdp, type CompanyIdp } from './company-idp.js';
import { claimsOf, exchange, ID_TOKEN, SEED_AGENTS } from './support.js';

describe.each(storeKinds())('a delegated token is recorded in one transaction on %s', (kind) => {
  let server: TestServer;
  let idp: CompanyIdp;
  const clock = new ManualClock(Date.now());
  const agents = {} as Record<'A' | 'B' | 'C', RegisteredAgent>;
  let tokenA: string;

  beforeAll(async () => {
    idp = await startCompanyIdp();
    server = await startOAuthServer(kind, { clock });
    for (const name of ['A', 'B', 'C'] as const) agents[name] = await registerAgent(server, { ...SEED_AGENTS[name], name: `atomic-${name}` });
    expect((await server.api('POST', '/v1/idps', { issuer: idp.issuer, jwks_uri: idp.jwksUri, audiences: [IDP_CLIENT.id], name: 'Company IdP' })).status).toBe(201);
    const idToken = await idp.signIn('john.doe@company.com');
    const a = await exchange(server, agents.A, idToken, { subject_token_type: ID_TOKEN, scope: SEED_AGENTS.A.scopes.join(' ') });
    expect(a.status).toBe(200);
    tokenA = a.body.access_token;
  });
  afterAll(async () => {
    await server?.stop();
    await idp?.stop();
  });

  /** Makes the first audit write whose events match `which` throw, through `append` or `appendIn` alike; returns how many it threw and the restore. */
  function failIssuanceOnce(which: (event: AuditEvent) => boolean) {
    const audit = server.runtime.audit;
    const appendIn = audit.appendIn.bind(audit);
    const append = audit.append.bind(audit);
    const state = { thrown: 0 };
    const fails = (events: readonly AuditEvent[]) => {
      if (state.thrown > 0 || !events.some((e) => e.type === 'oauth.token.issued' && which(e))) return false;
      state.thrown += 1;
      return true;
    };
    const spies = [
      vi.spyOn(audit, 'appendIn').mockImplementation((trx, events) => (fails(events) ? Promise.reject(new Error('audit write failed')) : appendIn(trx, events))),
      vi.spyOn(audit, 'append').mockImplementation((...events) => (fails(events) ? Promise.reject(new Error('audit write failed')) : append(...events))),
    ];
    return { state, restore: () => spies.forEach((spy) => spy.mockRestore()) };
  }

  const linksOf = async (agent: RegisteredAgent) => (await server.runtime.delegation.linksAround(agent.id)).filter((link) => link.agentId === agent.id);
  const issuedEntries = async (approvalId: string) => {
    await server.runtime.audit.flush();
    const { body } = await server.api('GET', `/v1/audit?type=oauth.token.issued&agent=${agents.C.id}`);
    return (body.items as Array<{ details: { delegation?: { approval_id?: string } } }>).filter((e) => e.details.delegation?.approval_id === approvalId);
  };

  it("a deep step whose issuance entry fails keeps the human's approval: the retry with the same approval_id gets the token", async () => {
    const b = await exchange(server, agents.B, tokenA, { scope: 'calendar:read calendar-events:read' });
    expect(b.status).toBe(200);
    const tokenB = b.body.access_token as string;
    const first = await exchange(server, agents.C, tokenB, { scope: 'calendar-events:read' });
    expect(first.body).toMatchObject({ error: 'authorization_pending', approval_id: expect.stringMatching(/^apr_/) });
    const approvalId = first.body.approval_id as string;
    expect((await server.api('POST', `/v1/approvals/${approvalId}/approve`, { reason: 'fine' })).status).toBe(200);

    const injected = failIssuanceOnce((e) => (e.details?.delegation as { approval_id?: string } | undefined)?.approval_id === approvalId);
    try {
      const failed = await exchange(server, agents.C, tokenB, { scope: 'calendar-events:read', approval_id: approvalId });
      expect(injected.state.thrown).toBe(1);
      expect(failed.status).toBe(500);
      expect(failed.body.access_token).toBeUndefined();
    } finally {
      injected.restore();
    }
    // Nothing of the failed attempt is left: the approval is unspent, no link, no entry.
    expect((await server.api('GET', `/v1/approvals/${approvalId}`)).body.status).toBe('approved');
    expect(await linksOf(agents.C)).toEqual([]);
    expect(await issuedEntries(approvalId)).toEqual([]);

    const retried = await exchange(server, agents.C, tokenB, { scope: 'calendar-events:read', approval_id: approvalId });
    expect(retried.status).toBe(200);
    const claims = claimsOf(retried.body.access_token);
    expect(claims.delegation).toMatchObject({ depth: 3, parents: [claimsOf(tokenA).jti, claimsOf(tokenB).jti] });
    expect((await server.api('GET', `/v1/approvals/${approvalId}`)).body.status).toBe('used');
    expect((await linksOf(agents.C)).map((link) => link.jti)).toEqual([claims.jti]);
    expect((await issuedEntries(approvalId)).map((e: any) => e.details.tokens)).toEqual([[{ jti: claims.jti, exp: claims.exp }]]);
    // Spent once: a replay is refused.
    const replay = await exchange(server, agents.C, tokenB, { scope: 'calendar-events:read', approval_id: approvalId });
    expect(replay.body.error_description).toMatch(/^\[approval_refused\].*already been used/);
  });

  it('a step within the approval depth whose issuance entry fails leaves no chain link for a token never handed out', async () => {
    const before = (await linksOf(agents.B)).length;
    const injected = failIssuanceOnce((e) => e.agentId === agents.B.id);
    try {
      const failed = await exchange(server, agents.B, tokenA, { scope: 'calendar:read' });
      expect(injected.state.thrown).toBe(1);
      expect(failed.status).toBe(500);
    } finally {
      injected.restore();
    }
    expect(await linksOf(agents.B)).toHaveLength(before);
    const ok = await exchange(server, agents.B, tokenA, { scope: 'calendar:read' });
    expect(ok.status).toBe(200);
    expect((await linksOf(agents.B)).map((link) => link.jti)).toContain(claimsOf(ok.body.access_token).jti);
    expect(await linksOf(agents.B)).toHaveLength(before + 1);
  });
});
