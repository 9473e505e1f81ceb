/**
 * A person's MCP client, end to end: the official MCP TypeScript SDK's client OAuth support
 * (`auth()` through StreamableHTTPClientTransport with an OAuthClientProvider) against the
 * calendar MCP server behind `@mandate/sdk/mcp`, asking a real Mandate server, on SQLite and
 * PostgreSQL. The SDK discovers everything from the 401: RFC 9728 protected resource metadata,
 * then RFC 8414 authorization server metadata; it names itself with a Client ID Metadata
 * Document this test serves; the person signs in, consents (the test is the browser), the SDK
 * exchanges the code (PKCE S256, `resource`), calls a tool, and refreshes with rotation.
 *
 * Sign-in: alice signs in on the sign-in page with her operator token (`POST /signin/token`, a
 * session cookie, signin/); the company IdP sign-in at oidc-provider is not used here (not
 * available on this branch when the test was written).
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
import { authorizeInBrowser, sessionBrowser, startMetadataHost, type MetadataHost } from '../support/people.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

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
  let aliceToken: string;
  const ALICE = 'alice@example.com';

  beforeAll(async () => {
    // The SDK names itself only with an https metadata document URL: served with a throwaway CA Mandate is told to trust.
    const dir = mkdtempSync(join(tmpdir(), 'mandate-cimd-'));
    const tls = await serverTls(dir);
    writeFileSync(join(dir, 'ca.pem'), tls.caPem);
    server = await startOAuthServer(kind, { config: { authorization: { cimdCaFile: join(dir, 'ca.pem') } } });
    host = await startMetadataHost(tls);
    mcp = await startCalendarMcp({ issuer: server.url, register: (audience) => registerResourceServer(server, audience, ['calendar:read', 'calendar:delete']) });
    const made = await server.api('POST', '/v1/operators', { id: 'op-alice', email: ALICE, roles: ['auditor'] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    aliceToken = made.body.token;
  });
  afterAll(async () => {
    await mcp?.close();
    await host?.close();
    await server?.stop();
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

    // 2. The person signs in and consents in the browser; Mandate redirects with code, state and iss.
    const answer = await authorizeInBrowser(url.toString(), await sessionBrowser(server, aliceToken));
    expect(answer.status).toBe(303);
    const callback = new URL(answer.location!);
    expect(callback.searchParams.get('iss')).toBe(server.url);
    expect(callback.searchParams.get('state')).toBe(url.searchParams.get('state'));

    // 3. The SDK exchanges the code (PKCE verifier, resource) and reconnects with the token.
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

    // 4. Refresh with rotation: the SDK's auth() uses the refresh token; a new one replaces it.
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
