import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { freePort } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { Browser } from './browser.js';
import { COMPANY_CLIENT, signInAtCompany, startCompanyLogin, type CompanyLogin } from './company-login.js';

/**
 * People sign in through the company's IdP (issue 17 item 1): Mandate as an OpenID Connect
 * relying party (openid-client) of oidc-provider, whose login and consent pages the test fills
 * in over HTTP. A person gets a person's session that /v1 refuses but for their own session;
 * an operator whose email matches gets their own session with their roles; a disallowed
 * domain, a forged state, a callback in another browser and a replayed callback are refused.
 */
describe.each(storeKinds())('sign-in at the company IdP on %s', (kind) => {
  let server: TestServer;
  let idp: CompanyLogin;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startCompanyLogin(`${base}/signin/callback`);
    const secretFile = join(mkdtempSync(join(tmpdir(), 'mandate-idp-')), 'secret');
    writeFileSync(secretFile, `${COMPANY_CLIENT.secret}\n`, { mode: 0o600 });
    server = await startTestServer({
      kind,
      config: {
        port,
        issuer: base,
        signin: { idps: [{ id: 'company', name: 'Example Corp', issuer: idp.issuer, clientId: COMPANY_CLIENT.id, clientSecretFile: secretFile, allowedEmailDomains: ['company.example'], scopes: 'openid email' }] },
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await idp?.stop();
  });

  it('shows a button per IdP on the sign-in page', async () => {
    const page = await new Browser().request(`${base}/signin?return_to=/console/x`);
    expect(page.text).toContain('href="/signin/idp/company?return_to=%2Fconsole%2Fx"');
    expect(page.text).toContain('Sign in with Example Corp');
  });

  it('signs a person in: a person principal that /v1 refuses but for their own session', async () => {
    const browser = new Browser();
    const { answer } = await signInAtCompany(browser, base, 'pat@company.example', { returnTo: '/console/consents' });
    expect(answer!.status).toBe(303);
    expect(answer!.location).toBe(`${base}/console/consents`);
    const cookie = browser.cookies(base).get('mandate_session')!;
    expect(cookie.attributes.map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(['httponly', 'samesite=lax']));
    const me = JSON.parse((await browser.request(`${base}/v1/session`)).text);
    expect(me.principal).toEqual({ kind: 'person', id: 'person:company:pat@company.example', email: 'pat@company.example', roles: [] });
    for (const path of ['/v1/operators', '/v1/agents', '/v1/audit', '/v1/sessions']) {
      const refused = await browser.request(`${base}${path}`);
      expect(refused.status, path).toBe(403);
      expect(JSON.parse(refused.text).message).toMatch(/people signed in/);
    }
    const audit = await server.api('GET', '/v1/audit?type=signin.succeeded');
    expect(audit.body.items[0]).toMatchObject({ actor: { kind: 'person', id: 'person:company:pat@company.example' }, details: { method: 'idp', idp: 'company' } });
    // The person sees their own sessions (this one, marked current), and only theirs.
    const mine = await browser.request(`${base}/v1/sessions/mine`);
    expect(mine.status).toBe(200);
    const items = JSON.parse(mine.text).items;
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items.every((s: { kind: string; principal_id: string }) => s.kind === 'person' && s.principal_id === 'person:company:pat@company.example')).toBe(true);
    expect(items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const out = await browser.request(`${base}/v1/session/logout`, { method: 'POST', headers: { 'x-csrf-token': me.csrf_token } });
    expect(out.status).toBe(204);
    expect((await browser.request(`${base}/v1/session`)).status).toBe(401);
  });

  it("gives an operator whose email the IdP vouches for their own session and roles", async () => {
    const created = await server.api('POST', '/v1/operators', { email: 'Olga@company.example', roles: ['approver'] });
    expect(created.status).toBe(201);
    const browser = new Browser();
    const { answer } = await signInAtCompany(browser, base, 'olga@company.example');
    expect(answer!.status).toBe(303);
    const me = JSON.parse((await browser.request(`${base}/v1/session`)).text);
    expect(me.principal).toMatchObject({ kind: 'operator', id: created.body.operator.id, roles: ['approver'] });
    expect((await browser.request(`${base}/v1/approvals`)).status).toBe(200);
    const list = await server.api('GET', '/v1/sessions');
    expect(list.body.items.find((s: any) => s.principal_id === created.body.operator.id)).toMatchObject({ method: 'idp', idp: 'company' });
  });

  it('refuses a disallowed email domain with a 403 page naming why, and audits it', async () => {
    const browser = new Browser();
    const { answer } = await signInAtCompany(browser, base, 'mallory@elsewhere.example');
    expect(answer!.status).toBe(403);
    expect(answer!.text).toContain('elsewhere.example');
    expect(answer!.text).toContain('company.example');
    expect(browser.cookie(base, 'mandate_session')).toBeUndefined();
    const audit = await server.api('GET', '/v1/audit?type=signin.refused');
    expect(audit.body.items.some((e: any) => /elsewhere\.example/.test(e.details.reason))).toBe(true);
  });

  it('refuses a forged state, a callback in another browser, and a replayed callback', async () => {
    const forged = await new Browser().request(`${base}/signin/callback?code=abc&state=forged-state`);
    expect(forged.status).toBe(400);
    expect(forged.text).toMatch(/did not issue/);

    const browser = new Browser();
    const { callback } = await signInAtCompany(browser, base, 'sam@company.example', { holdCallback: true });
    const signinCookie = browser.cookie(base, 'mandate_signin')!;
    const elsewhere = await new Browser().request(callback);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toMatch(/another browser/);
    // The state was not spent by the stranger: the right browser still completes it once.
    const first = await browser.request(callback);
    expect(first.status).toBe(303);
    // The same answer again, from the same browser with its sign-in cookie put back: a replay.
    const again = await browser.request(callback, { headers: { cookie: `mandate_signin=${signinCookie}` } });
    expect(again.status).toBe(400);
    expect(again.text).toMatch(/already used/);
    expect((await new Browser().request(`${base}/signin/idp/nobody`)).status).toBe(404);
  });
});

describe('upstream IdP settings', () => {
  const idp = { id: 'corp', issuer: 'https://login.example.com', clientId: 'mandate', clientSecretEnv: 'CORP_SECRET' };
  it('refuses an IdP that does not say who may sign in, or names its secret twice, naming the key', () => {
    expect(() => loadConfig({ env: {}, flags: { signin: { idps: [idp] } } })).toThrow(/signin\.idps\.0: set allowedEmailDomains or requiredClaim/);
    expect(() => loadConfig({ env: {}, flags: { signin: { idps: [{ ...idp, allowedEmailDomains: ['example.com'], clientSecretFile: '/x' }] } } })).toThrow(/signin\.idps\.0: set clientSecretFile or clientSecretEnv, not both/);
    expect(() => loadConfig({ env: {}, flags: { signin: { idps: [{ ...idp, allowedEmailDomains: ['Not a domain'] }] } } })).toThrow(/signin\.idps\.0\.allowedEmailDomains\.0/);
  });

  it('stops the start when the client secret is missing, naming the key', async () => {
    await expect(startTestServer({ config: { signin: { idps: [{ ...idp, allowedEmailDomains: ['example.com'] }] } } })).rejects.toThrow(/signin\.idps\.0\.clientSecretEnv: the environment variable CORP_SECRET is not set/);
  });
});
