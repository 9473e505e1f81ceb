/**
 * The SDK side of delegation: each agent of user → A → B → C calls `delegate()` with its parent's
 * token; C's exchange waits for a human (AuthorizationPendingError with the approval id) and is
 * retried once approved; a resource server's SDK verifier accepts C's token, and learns through
 * the revocation feed within 5 s that revoking A's token revoked B's and C's too.
 */
import { AgentAuthService, AuthorizationPendingError, createTokenVerifier, InvalidScopeError, TokenVerificationError, type TokenVerifier } from '@mandate/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerAgent, registerResourceServer, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { IDP_CLIENT, startCompanyIdp, type CompanyIdp } from './company-idp.js';
import { claimsOf, ID_TOKEN, SEED_AGENTS } from './support.js';

const CALENDAR_API = 'https://calendar.company.example';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof TokenVerificationError) return error.code;
    throw error;
  }
}

describe.each(storeKinds())('SDK delegate() and cascade revocation seen by SDK verifiers on %s', (kind) => {
  let server: TestServer;
  let idp: CompanyIdp;
  let verifier: TokenVerifier;
  const services = {} as Record<'A' | 'B' | 'C', AgentAuthService>;

  beforeAll(async () => {
    idp = await startCompanyIdp();
    server = await startOAuthServer(kind);
    const rs = await registerResourceServer(server, CALENDAR_API, ['calendar:*', 'calendar-events:*', 'email:*', 'calendar:read', 'calendar-events:read']);
    await server.api('POST', '/v1/idps', { issuer: idp.issuer, jwks_uri: idp.jwksUri, audiences: [IDP_CLIENT.id] });
    for (const name of ['A', 'B', 'C'] as const) {
      const agent: RegisteredAgent = await registerAgent(server, { ...SEED_AGENTS[name], name: `sdk-${name}` });
      services[name] = new AgentAuthService({ issuer: server.url, clientId: agent.clientId, clientSecret: agent.clientSecret });
    }
    verifier = createTokenVerifier({ issuer: server.url, audience: CALENDAR_API, revocation: { credentials: rs, waitSeconds: 25 } });
  });
  afterAll(async () => {
    await verifier?.close();
    await server?.stop();
    await idp?.stop();
  });

  it('narrows at each level, waits for the approval at depth 3, and the verifier sees the cascade within 5 s', async () => {
    const idToken = await idp.signIn('john.doe@company.com');
    const a = await services.A.delegate({ subjectToken: idToken, subjectTokenType: ID_TOKEN, scopes: SEED_AGENTS.A.scopes.join(' '), audience: CALENDAR_API });
    const b = await services.B.delegate({ subjectToken: a.accessToken, scopes: ['calendar:read', 'calendar-events:read'], audience: CALENDAR_API });
    await expect(services.C.delegate({ subjectToken: b.accessToken, scopes: ['calendar:read', 'calendar-events:read'], audience: CALENDAR_API })).rejects.toBeInstanceOf(InvalidScopeError);

    const pending = await services.C.delegate({ subjectToken: b.accessToken, scopes: 'calendar-events:read', audience: CALENDAR_API }).catch((error: unknown) => error);
    expect(pending).toBeInstanceOf(AuthorizationPendingError);
    const approvalId = (pending as AuthorizationPendingError).approvalId!;
    expect(approvalId).toMatch(/^apr_/);
    expect((await server.api('POST', `/v1/approvals/${approvalId}/approve`, { reason: 'ok' })).status).toBe(200);
    const c = await services.C.delegate({ subjectToken: b.accessToken, scopes: 'calendar-events:read', audience: CALENDAR_API, approvalId });
    expect(c.scope).toBe('calendar-events:read');
    expect(claimsOf(c.accessToken).exp).toBeLessThanOrEqual(claimsOf(b.accessToken).exp);

    const verified = await verifier.verify(c.accessToken);
    expect(verified.subject).toBe('john.doe@company.com');
    await services.A.revoke(a.accessToken);
    await vi.waitFor(async () => expect(await refusal(verifier.verify(c.accessToken))).toBe('ERR_TOKEN_REVOKED'), { timeout: 5_000, interval: 50 });
    expect(await refusal(verifier.verify(b.accessToken))).toBe('ERR_TOKEN_REVOKED');
  });
});
