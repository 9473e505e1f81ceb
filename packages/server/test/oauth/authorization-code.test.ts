import * as oauth from 'oauth4webapi';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, registerResourceServer, startOAuthServer } from '../support/agents.js';
import { authorizeInBrowser, consentForm, sessionBrowser, startMetadataHost, type Browser, type MetadataHost } from '../support/people.js';
import type { TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { loggedDecision } from '../support/audit.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const RESOURCE = 'https://mcp.example.test/calendar';
const OTHER_RESOURCE = 'https://mcp.example.test/files';
const REDIRECT = 'http://127.0.0.1:53682/callback';

/**
 * People's clients at the authorization endpoint, driven by oauth4webapi (a spec-strict client:
 * it checks RFC 9207 `iss`, `state`, PKCE and the token response) over real HTTP, on both stores.
 * The client is named by a Client ID Metadata Document this test serves; the browser is signed
 * in with a session (the sign-in page's operator-token sign-in, signin/) as the admin operator.
 */
describe.each(storeKinds())("people's clients: authorization code + PKCE on %s", (kind) => {
  let server: TestServer;
  let host: MetadataHost;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let browser: Browser;
  let resourceServer: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    server = await startOAuthServer(kind);
    host = await startMetadataHost();
    resourceServer = await registerResourceServer(server, RESOURCE, ['calendar:read', 'calendar:write']);
    await registerResourceServer(server, OTHER_RESOURCE, ['files:read']);
    const clientId = host.serve('/oauth/client.json', { client_id: `${host.url}/oauth/client.json`, client_name: 'Calendar Assistant', client_uri: 'https://assistant.example', logo_uri: 'https://assistant.example/logo.png', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }, { 'cache-control': 'max-age=600' });
    client = { client_id: clientId, token_endpoint_auth_method: 'none' };
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    browser = await sessionBrowser(server, server.adminToken);
  });
  afterAll(async () => {
    await server?.stop();
    await host?.close();
  });

  async function request(overrides: Record<string, string | undefined> = {}, who = client) {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    const params: Record<string, string | undefined> = {
      response_type: 'code',
      client_id: who.client_id,
      redirect_uri: REDIRECT,
      scope: 'calendar:read',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      resource: RESOURCE,
      ...overrides,
    };
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
    return { url: url.toString(), verifier, state };
  }

  async function codeFor(overrides: Record<string, string | undefined> = {}) {
    const req = await request(overrides);
    const answer = await authorizeInBrowser(req.url, browser);
    expect(answer.status).toBe(303);
    const params = oauth.validateAuthResponse(as, client, new URL(answer.location!), req.state);
    return { ...req, params };
  }

  async function exchange(code: Awaited<ReturnType<typeof codeFor>>, resource = RESOURCE) {
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), code.params, REDIRECT, code.verifier, { additionalParameters: { resource }, ...insecure });
    return oauth.processAuthorizationCodeResponse(as, client, response);
  }

  const introspect = async (token: string) => (await postForm(server, '/oauth2/introspect', { token }, { authorization: basic(resourceServer.clientId, resourceServer.clientSecret) })).body;

  it('advertises the authorization endpoint, S256 only, CIMD and RFC 9207 in its metadata', () => {
    expect(as.authorization_endpoint).toBe(`${server.url}/oauth2/authorize`);
    expect(as.response_types_supported).toEqual(['code']);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect((as as Record<string, unknown>).client_id_metadata_document_supported).toBe(true);
  });

  it('sends a person who is not signed in to the sign-in page, back to this very request afterwards', async () => {
    const req = await request();
    const response = await fetch(req.url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!, server.url);
    expect(location.pathname).toBe('/signin');
    expect(location.searchParams.get('return_to')).toBe(new URL(req.url).pathname + new URL(req.url).search);
  });

  it('shows the consent page with the client’s name, logo and URL, the scopes and the resource; no script', async () => {
    const req = await request();
    const response = await fetch(req.url, { headers: browser.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('Calendar Assistant');
    expect(html).toContain('https://assistant.example/logo.png');
    expect(html).toContain('https://assistant.example');
    expect(html).toContain('calendar:read');
    expect(html).toContain(RESOURCE);
    expect(html).toContain('Unverified application'); // cimdTrust 'any': the warning is shown
    expect(html).not.toMatch(/<script/i);
  });

  it('issues a code with iss and state, exchanges it for a person’s token and a refresh token, rotates on refresh', async () => {
    const code = await codeFor();
    const tokens = await exchange(code);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope).toBe('calendar:read');
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: server.url, audience: RESOURCE, typ: 'at+jwt' });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ client_id: client.client_id, aud: RESOURCE, scope: 'calendar:read' });
    expect(typeof payload.sub).toBe('string');
    expect(payload.agent).toBeUndefined();
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, client_id: client.client_id, sub: payload.sub });

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure));
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await jwtVerify(refreshed.access_token, jwks, { issuer: server.url, audience: RESOURCE });

    // The consent is remembered: the next request for the same client, resource and scopes skips the page.
    const again = await request();
    const direct = await fetch(again.url, { redirect: 'manual', headers: browser.headers });
    expect(direct.status).toBe(303);
    expect(new URL(direct.headers.get('location')!).searchParams.get('iss')).toBe(server.url);
  });

  it('a person’s token goes through the decision point with the person as the root of the chain', async () => {
    const tokens = await exchange(await codeFor());
    const sub = (await introspect(tokens.access_token)).sub as string;
    const ask = (owner: string) =>
      fetch(`${server.url}/v1/authorize`, {
        method: 'POST',
        headers: { authorization: basic(resourceServer.clientId, resourceServer.clientSecret), 'content-type': 'application/json' },
        body: JSON.stringify({ token: tokens.access_token, action: 'read', tool: 'calendar-api:events.list', resource: { type: 'calendar', id: 'cal-1', owner, sensitivity: 'internal' } }),
      }).then((r) => r.json() as Promise<{ decision: string; reasons: string[]; decision_id: string }>);
    const own = await ask(sub);
    expect(own.decision).toBe('allow');
    const other = await ask('someone-else@example.com');
    expect(other.decision).toBe('deny');
    expect(other.reasons).toContain('cross_user_without_admin_scope');
    const input = (await loggedDecision(server, own.decision_id)).details.input as Record<string, any>;
    expect(input.agent).toMatchObject({ kind: 'person_client', id: client.client_id, client_id: client.client_id });
    expect(input.user).toEqual({ id: sub, source: 'delegation' });
    expect(input.delegation).toMatchObject({ delegated: true, root_user: sub, chain: [{ sub }, { sub: client.client_id, client_id: client.client_id }] });
    expect(input.token.scopes).toEqual(['calendar:read']);
  });

  it('refuses a request without PKCE, or with plain PKCE, by redirecting invalid_request with state and iss', async () => {
    for (const overrides of [{ code_challenge: undefined, code_challenge_method: undefined }, { code_challenge_method: 'plain' }, { code_challenge_method: undefined }]) {
      const req = await request(overrides);
      const response = await fetch(req.url, { redirect: 'manual', headers: browser.headers });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(REDIRECT);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe(req.state);
      expect(location.searchParams.get('iss')).toBe(server.url);
      expect(() => oauth.validateAuthResponse(as, client, location, req.state)).toThrow();
    }
  });

  it('refuses a consent form without the session’s CSRF token, or from another origin', async () => {
    const page = await (await fetch((await request({ scope: 'calendar:write' })).url, { headers: browser.headers })).text();
    const form: Record<string, string> = { ...consentForm(page), decision: 'allow' };
    const post = (body: Record<string, string>, extra: Record<string, string> = {}) =>
      fetch(`${server.url}/oauth2/authorize`, { method: 'POST', redirect: 'manual', headers: { ...browser.headers, 'content-type': 'application/x-www-form-urlencoded', ...extra }, body: new URLSearchParams(body).toString() });
    const withoutCsrf = { ...form };
    delete withoutCsrf.csrf_token;
    expect(form.csrf_token).toBeTruthy();
    expect((await post(withoutCsrf)).status).toBe(403);
    expect((await post({ ...form, csrf_token: 'forged' })).status).toBe(403);
    expect((await post(form, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(form)).status).toBe(303);
  });

  it('refuses a request without resource (invalid_target)', async () => {
    const req = await request({ resource: undefined });
    const response = await fetch(req.url, { redirect: 'manual', headers: browser.headers });
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('invalid_target');
  });

  it('shows a wrong redirect URI on a page and never redirects to it', async () => {
    const req = await request({ redirect_uri: 'https://attacker.example/cb' });
    const response = await fetch(req.url, { redirect: 'manual', headers: browser.headers });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('is not registered');
  });

  it('refuses a code used twice and revokes the tokens issued from it', async () => {
    const code = await codeFor();
    const tokens = await exchange(code);
    expect((await introspect(tokens.access_token)).active).toBe(true);
    const replay = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), code.params, REDIRECT, code.verifier, { additionalParameters: { resource: RESOURCE }, ...insecure });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toBe('invalid_grant');
    expect((await introspect(tokens.access_token)).active).toBe(false);
    const refresh = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure);
    expect(refresh.status).toBe(400);
  });

  it('refuses a code for another resource, and a wrong verifier', async () => {
    const forOther = await codeFor();
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), forOther.params, REDIRECT, forOther.verifier, { additionalParameters: { resource: OTHER_RESOURCE }, ...insecure });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining(RESOURCE) });
    const wrong = await codeFor();
    const bad = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), wrong.params, REDIRECT, oauth.generateRandomCodeVerifier(), insecure);
    expect(await bad.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('PKCE') });
  });

  it('a reused refresh token ends the family: the rotated one and the access tokens stop too', async () => {
    const tokens = await exchange(await codeFor());
    const first = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure));
    const reuse = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure);
    expect(reuse.status).toBe(400);
    expect((await reuse.json()).error).toBe('invalid_grant');
    const successor = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), first.refresh_token!, insecure);
    expect(successor.status).toBe(400);
    expect((await introspect(first.access_token)).active).toBe(false);
    expect((await introspect(tokens.access_token)).active).toBe(false);
    const audit = await server.api('GET', '/v1/audit?type=oauth.refresh_family.revoked&limit=10');
    expect(audit.body.items.some((e: { details: { reason: string } }) => e.details.reason === 'refresh token reused')).toBe(true);
  });

  it('a refresh refused for a wider scope or another resource leaves the refresh token unspent', async () => {
    const tokens = await exchange(await codeFor());
    const wider = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { additionalParameters: { scope: 'calendar:read calendar:write' }, ...insecure });
    expect(wider.status).toBe(400);
    expect((await wider.json()).error).toBe('invalid_scope');
    const elsewhere = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { additionalParameters: { resource: OTHER_RESOURCE }, ...insecure });
    expect(elsewhere.status).toBe(400);
    expect((await elsewhere.json()).error).toBe('invalid_grant');
    // The same token still works once (not taken for reuse), and the family lives on.
    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure));
    expect(refreshed.refresh_token).toBeTruthy();
    expect((await introspect(tokens.access_token)).active).toBe(true);
    expect((await introspect(refreshed.access_token)).active).toBe(true);
  });

  it('refuses a metadata document whose client_id differs from its URL, and one on a private address', async () => {
    const lying = host.serve('/oauth/lying.json', { client_id: 'https://someone-else.example/client.json', redirect_uris: [REDIRECT] });
    const lie = await fetch((await request({}, { client_id: lying })).url, { redirect: 'manual', headers: browser.headers });
    expect(lie.status).toBe(400);
    expect(await lie.text()).toContain('differs from its URL');
    for (const address of ['https://10.0.0.7/client.json', 'https://169.254.169.254/latest/meta-data', 'https://[fd00::1]/client.json']) {
      const response = await fetch((await request({}, { client_id: address })).url, { redirect: 'manual', headers: browser.headers });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('not a public address');
    }
  });

  it('caches a metadata document by its HTTP cache headers', async () => {
    const before = host.fetches('/oauth/client.json');
    await fetch((await request()).url, { redirect: 'manual', headers: browser.headers });
    expect(host.fetches('/oauth/client.json')).toBe(before);
  });

  it('lists and revokes consents; a revoked consent asks again and ends the grant', async () => {
    const tokens = await exchange(await codeFor());
    const list = await server.api('GET', '/v1/consents');
    expect(list.status).toBe(200);
    const consent = list.body.items.find((c: { client_id: string }) => c.client_id === client.client_id);
    expect(consent).toMatchObject({ resource: RESOURCE, scopes: ['calendar:read'] });
    const revoked = await server.api('DELETE', `/v1/consents/${consent.id}`);
    expect(revoked.status).toBe(200);
    expect((await introspect(tokens.access_token)).active).toBe(false);
    const asked = await fetch((await request()).url, { redirect: 'manual', headers: browser.headers });
    expect(asked.status).toBe(200);
  });

  it('audits codes, tokens and refusals without secrets', async () => {
    const code = await codeFor();
    const tokens = await exchange(code);
    const audit = await server.api('GET', '/v1/audit?limit=200');
    const text = JSON.stringify(audit.body);
    for (const type of ['oauth.code.issued', 'oauth.token.issued', 'oauth.consent.granted', 'oauth.authorize.refused', 'oauth.token.refused']) expect(text).toContain(type);
    expect(text).not.toContain(code.params.get('code')!);
    expect(text).not.toContain(tokens.refresh_token!);
    expect(text).not.toContain(tokens.access_token);
  });
});
