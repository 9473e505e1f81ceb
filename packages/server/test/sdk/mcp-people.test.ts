/**
 * A person's MCP client, end to end: the official MCP TypeScript SDK's client OAuth support
 * (`auth()` through StreamableHTTPClientTransport with an OAuthClientProvider) against the
 * calendar MCP server behind `@mandate/sdk/mcp`, asking a real Mandate server, on SQLite and
 * PostgreSQL. The SDK discovers everything from the 401: RFC 9728 protected resource metadata,
 * then RFC 8414 authorization server metadata; it names itself with a Client ID Metadata
 * Document this test serves; the person signs in, consents (the test is the browser), the SDK
 * exchanges the code (PKCE S256, `resource`), calls a tool, and refreshes with rotation.
 *
 * Sign-in: the browser, not signed in at Mandate, is sent to the sign-in page and signs in at
 * the company's IdP (oidc-provider with its own login form, filled in over HTTP by the test's
 * browser: test/signin/company-login.ts); alice is a person (no operator has her email), so her
 * session is a person's and her token's subject is her email.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverTls } from '../support/tls.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth, UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { startCalendarMcp, type CalendarMcp } from '../../demo/calendar-mcp.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { registerAgent, registerResourceServer, startOAuthServer } from '../support/agents.js';
import { authorizeInBrowser, startMetadataHost, type MetadataHost } from '../support/people.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { freePort } from '../support/process.js';
import { Browser as SigninBrowser } from '../signin/browser.js';
import { COMPANY_CLIENT, signInAtCompany, startCompanyLogin, type CompanyLogin } from '../signin/company-login.js';

const REDIRECT = 'http://127.0.0.1:53683/oauth/callback';

/** The MCP client's storage, as an IDE would keep it; `redirectToAuthorization` hands the URL to the "browser". */
class InMemoryProvider implements OAuthClientProvider {
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;
  constructor(readonly clientMetadataUrl: string) {}
  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'Test IDE', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  information: OAuthClientInformationMixed | undefined;
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

describe.each(storeKinds())("a person's MCP client (official MCP SDK OAuth) on %s", (kind) => {
  let server: TestServer;
  let mcp: CalendarMcp;
  let host: MetadataHost;
  let idp: CompanyLogin;
  const ALICE = 'alice@example.com';

  beforeAll(async () => {
    // The SDK names itself only with an https metadata document URL: served with a throwaway CA Mandate is told to trust.
    const dir = mkdtempSync(join(tmpdir(), 'mandate-cimd-'));
    const tls = await serverTls(dir);
    writeFileSync(join(dir, 'ca.pem'), tls.caPem);
    // The company's IdP knows Mandate's callback before Mandate starts: the port is chosen first.
    const port = await freePort();
    idp = await startCompanyLogin(`http://127.0.0.1:${port}/signin/callback`);
    writeFileSync(join(dir, 'idp-secret'), `${COMPANY_CLIENT.secret}\n`, { mode: 0o600 });
    server = await startOAuthServer(kind, {
      config: {
        port,
        issuer: `http://127.0.0.1:${port}`,
        authorization: { cimdCaFile: join(dir, 'ca.pem') },
        signin: { idps: [{ id: 'company', name: 'Example Corp', issuer: idp.issuer, clientId: COMPANY_CLIENT.id, clientSecretFile: join(dir, 'idp-secret'), allowedEmailDomains: ['example.com'], scopes: 'openid email' }] },
      },
    });
    host = await startMetadataHost(tls);
    mcp = await startCalendarMcp({ issuer: server.url, register: (audience) => registerResourceServer(server, audience, ['calendar:read', 'calendar:delete']) });
  });
  afterAll(async () => {
    await mcp?.close();
    await host?.close();
    await server?.stop();
    await idp?.stop();
  });

  it('discovers from the 401, signs in, consents, exchanges the code, calls a tool, refreshes with rotation', async () => {
    const metadataUrl = host.serve('/ide/client.json', { client_id: `${host.url}/ide/client.json`, client_name: 'Test IDE', client_uri: 'https://ide.example', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' });
    const provider = new InMemoryProvider(metadataUrl);

    // 1. No token: the guard answers 401 with resource_metadata; the SDK discovers and starts authorization.
    const first = new Client({ name: 'test-ide', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const url = provider.authorizationUrl!;
    expect(url.origin + url.pathname).toBe(`${server.url}/oauth2/authorize`);
    expect(url.searchParams.get('client_id')).toBe(metadataUrl); // CIMD: the document URL is the client_id
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(mcp.url);

    // 2. The browser opens the URL: not signed in, so Mandate sends it to its sign-in page; the
    //    person signs in at the company's IdP and comes back to the same authorization request.
    const browser = new SigninBrowser();
    const unsigned = await browser.request(url.toString());
    expect(unsigned.status).toBe(303);
    const signinPage = new URL(unsigned.location!);
    expect(signinPage.pathname).toBe('/signin');
    const returnTo = signinPage.searchParams.get('return_to')!;
    const { answer: back } = await signInAtCompany(browser, server.url, ALICE, { returnTo });
    expect(back!.status).toBe(303);
    expect(back!.location).toBe(`${server.url}${returnTo}`);
    const me = JSON.parse((await browser.request(`${server.url}/v1/session`)).text);
    expect(me.principal).toMatchObject({ kind: 'person', email: ALICE });

    // 3. The person consents; Mandate redirects with code, state and iss.
    const answer = await authorizeInBrowser(back!.location!, { headers: { cookie: `mandate_session=${browser.cookie(server.url, 'mandate_session')}` } });
    expect(answer.status).toBe(303);
    const callback = new URL(answer.location!);
    expect(callback.searchParams.get('iss')).toBe(server.url);
    expect(callback.searchParams.get('state')).toBe(url.searchParams.get('state'));

    // 4. The SDK exchanges the code (PKCE verifier, resource) and reconnects with the token.
    await transport.finishAuth(callback.searchParams.get('code')!);
    const tokens = provider.saved!;
    expect(tokens.refresh_token).toBeTruthy();
    const client = new Client({ name: 'test-ide', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
    const listed = await client.callTool({ name: 'list_events', arguments: { calendar: ALICE } });
    expect(JSON.stringify(listed.content)).toContain('Team standup');
    const call = mcp.calls.at(-1)!;
    expect(call).toMatchObject({ name: 'list_events', outcome: 'allow', subject: ALICE, clientId: metadataUrl });
    // Bob's calendar is another user's: the same policy that governs agents refuses it.
    const bobs = await client.callTool({ name: 'list_events', arguments: { calendar: 'bob@example.com' } }).catch((error: Error) => error);
    expect(String((bobs as Error).message ?? JSON.stringify(bobs))).toMatch(/cross_user_without_admin_scope|denied/);
    await client.close();

    // 5. Refresh with rotation: the SDK's auth() uses the refresh token; a new one replaces it.
    expect(await auth(provider, { serverUrl: mcp.url })).toBe('AUTHORIZED');
    expect(provider.saved!.refresh_token).toBeTruthy();
    expect(provider.saved!.refresh_token).not.toBe(tokens.refresh_token);
    expect(provider.saved!.access_token).not.toBe(tokens.access_token);
    const again = new Client({ name: 'test-ide', version: '1.0.0' });
    await again.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
    const second = await again.callTool({ name: 'list_events', arguments: { calendar: ALICE } });
    expect(JSON.stringify(second.content)).toContain('Dentist');
    await again.close();
  });

  it("an agent with the MCP SDK's own ClientCredentialsProvider (its discovery needs authorization_endpoint, now advertised)", async () => {
    const agent = await registerAgent(server, { name: 'sdk-cc-agent', purpose: 'calendar-management', owner: ALICE, scopes: ['calendar:read'], tools: ['google-calendar-api'], data_classification: 'internal', environment: 'production' });
    const provider = new ClientCredentialsProvider({ clientId: agent.clientId, clientSecret: agent.clientSecret, scope: 'calendar:read', expectedIssuer: server.url });
    const client = new Client({ name: 'cc-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
    const listed = await client.callTool({ name: 'list_events', arguments: { calendar: ALICE } });
    expect(JSON.stringify(listed.content)).toContain('Team standup');
    expect(mcp.calls.at(-1)).toMatchObject({ outcome: 'allow', clientId: agent.clientId });
    await client.close();
  });
});
