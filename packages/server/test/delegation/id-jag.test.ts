/**
 * ID-JAG end to end (draft-ietf-oauth-identity-assertion-authz-grant): the company IdP
 * (oidc-provider with a registered token-exchange grant, company-idp.ts) trades a user's ID
 * token for an identity assertion for Mandate; the agent redeems it at Mandate's token endpoint
 * with the jwt-bearer grant. Refused: wrong aud, wrong client_id, a replayed jti, an untrusted
 * issuer, a wrong typ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAgent, registerResourceServer, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { IDP_CLIENT, startCompanyIdp, type CompanyIdp } from './company-idp.js';
import { claimsOf, redeem, SEED_AGENTS } from './support.js';

const CALENDAR_API = 'https://calendar.company.example';

describe.each(storeKinds())('ID-JAG on %s', (kind) => {
  let server: TestServer;
  let idp: CompanyIdp;
  let agent: RegisteredAgent;
  let idToken: string;
  const assertion = (overrides: { audience?: string; clientId?: string; scope?: string; resource?: string } = {}) =>
    idp.identityAssertion(idToken, {
      audience: overrides.audience ?? server.config.issuer,
      clientId: overrides.clientId ?? agent.clientId,
      scope: overrides.scope ?? 'calendar:read calendar-events:read email:read',
      resource: overrides.resource ?? CALENDAR_API,
    });

  beforeAll(async () => {
    idp = await startCompanyIdp();
    server = await startOAuthServer(kind);
    agent = await registerAgent(server, { ...SEED_AGENTS.A, name: 'agent-A' });
    await registerResourceServer(server, CALENDAR_API, ['calendar:read', 'calendar-events:read', 'calendar:write']);
    expect((await server.api('POST', '/v1/idps', { issuer: idp.issuer, jwks_uri: idp.jwksUri, audiences: [IDP_CLIENT.id] })).status).toBe(201);
    idToken = await idp.signIn('john.doe@company.com');
  });
  afterAll(async () => {
    await server?.stop();
    await idp?.stop();
  });

  it('advertises the ID-JAG grant profile in the metadata', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata.authorization_grant_profiles_supported).toEqual(['urn:ietf:params:oauth:grant-profile:id-jag']);
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange']));
  });

  it("redeems the IdP's assertion: the user is the root, the audience the resource, the scopes the intersection", async () => {
    const response = await redeem(server, agent, await assertion(), { resource: CALENDAR_API, scope: 'calendar:read calendar-events:read calendar:write' });
    expect(response.status).toBe(200);
    // Asked ∩ asserted ∩ registered ∩ accepted: calendar:write was not asserted, email:read not accepted by the API.
    expect(response.body.scope).toBe('calendar:read calendar-events:read');
    const claims = claimsOf(response.body.access_token);
    expect(claims).toMatchObject({ sub: 'john.doe@company.com', aud: CALENDAR_API, act: { sub: agent.id }, delegation: { depth: 1, root: { sub: 'john.doe@company.com', iss: idp.issuer } } });
  });

  it('refuses a wrong aud, a wrong client_id, a replayed jti, an untrusted issuer and a wrong typ', async () => {
    const refusal = async (token: string) => {
      const response = await redeem(server, agent, token, { resource: CALENDAR_API });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_grant');
      return response.body.error_description as string;
    };
    expect(await refusal(await assertion({ audience: 'https://other-as.example' }))).toMatch(/^\[assertion_invalid\].*aud/);
    expect(await refusal(await assertion({ clientId: 'someone-else' }))).toMatch(/^\[assertion_invalid\].*client_id/);
    const once = await assertion();
    expect((await redeem(server, agent, once, { resource: CALENDAR_API })).status).toBe(200);
    expect(await refusal(once)).toMatch(/^\[assertion_replayed\]/);
    const now = Math.floor(Date.now() / 1000);
    const base = { sub: 'john.doe@company.com', aud: server.config.issuer, client_id: agent.clientId, iat: now, exp: now + 60, scope: 'calendar:read' };
    expect(await refusal(await idp.sign({ ...base, iss: 'https://rogue-idp.example', jti: 'j-1' }, 'oauth-id-jag+jwt'))).toMatch(/^\[untrusted_issuer\]/);
    expect(await refusal(await idp.sign({ ...base, iss: idp.issuer, jti: 'j-2' }, 'JWT'))).toMatch(/^\[assertion_invalid\].*typ/);
  });
});
