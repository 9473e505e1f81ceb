/**
 * The console's Sessions page in a real browser (Debian's Chromium, playwright-core) against a
 * real server and a real company IdP (oidc-provider): the admin sees every browser they are
 * signed in on and ends the other one (that browser is signed out at once); a person signed in
 * at the company IdP lands on their own sessions, sees nothing else, and is signed out when the
 * admin revokes their session from "Everyone's live sessions". Each page is screenshot and
 * checked with axe-core; nothing loads from another origin and no CSP rule breaks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { Browser as HttpBrowser } from '../signin/browser.js';
import { COMPANY_CLIENT, signInAtCompany, startCompanyLogin, type CompanyLogin } from '../signin/company-login.js';
import { browserSkipReason, expectAccessible, launchBrowser, signInWithToken, WAIT, watchPage, type PageWatch } from './browser.js';

const skip = browserSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== null)('the Sessions page in Chromium', () => {
  let server: TestServer;
  let idp: CompanyLogin;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  const watches: PageWatch[] = [];

  const heading = (on: Page) => on.getByRole('heading', { level: 1 }).textContent();
  const newPage = async (context: BrowserContext) => {
    const opened = await context.newPage();
    watches.push(watchPage(opened, server.url));
    return opened;
  };

  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    idp = await startCompanyLogin(`${base}/signin/callback`);
    const secretFile = join(mkdtempSync(join(tmpdir(), 'mandate-idp-')), 'secret');
    writeFileSync(secretFile, `${COMPANY_CLIENT.secret}\n`, { mode: 0o600 });
    server = await startTestServer({
      kind: 'sqlite',
      config: {
        port,
        issuer: base,
        signin: { idps: [{ id: 'company', name: 'Example Corp', issuer: idp.issuer, clientId: COMPANY_CLIENT.id, clientSecretFile: secretFile, allowedEmailDomains: ['company.example'], scopes: 'openid email' }] },
      },
    });
    browser = await launchBrowser();
    admin = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    page = await newPage(admin);
    await signInWithToken(page, '/console/sessions', server.adminToken);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.stop();
  });

  it("lists the admin's browsers and ends the other one, which is signed out at once", async () => {
    // A second browser signed in as the same admin (the JSON sign-in, as a script would).
    const laptop = new HttpBrowser();
    const signedIn = await laptop.request(`${server.url}/signin/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: server.adminToken }) });
    expect(signedIn.status).toBe(200);
    const other = (await laptop.request(`${server.url}/v1/sessions/mine`)).text;
    const otherId = (JSON.parse(other).items as Array<{ id: string; current: boolean }>).find((s) => s.current)!.id;

    await expect.poll(() => heading(page), { timeout: WAIT }).toBe('Sessions');
    await page.reload();
    const mine = page.getByRole('table', { name: /Your sessions/ });
    await expect.poll(() => mine.getByRole('row').count(), { timeout: WAIT }).toBe(3); // header and two browsers
    await expect.poll(() => mine.getByText('This browser').count(), { timeout: WAIT }).toBe(1);
    await expectAccessible(page, 'sessions-admin');

    await mine.getByRole('button', { name: `End session ${otherId}` }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: WAIT }).toBe(`Session ${otherId} ended.`);
    await expect.poll(() => mine.getByRole('row').count(), { timeout: WAIT }).toBe(2);
    expect((await laptop.request(`${server.url}/v1/session`)).status).toBe(401);
    const audit = await server.api('GET', '/v1/audit?type=signin.signed_out');
    expect(audit.body.items[0]).toMatchObject({ actor: { kind: 'operator', id: 'admin' }, details: expect.objectContaining({ session_id: otherId }) });
  });

  it('lands a person on their own sessions only; the admin revokes theirs and they are signed out', async () => {
    // Pat signs in at the company IdP; the session cookie goes into a browser of their own.
    const jar = new HttpBrowser();
    const { answer } = await signInAtCompany(jar, server.url, 'pat@company.example', { returnTo: '/console/' });
    expect(answer!.status).toBe(303);
    const person = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    await person.addCookies([{ name: 'mandate_session', value: jar.cookie(server.url, 'mandate_session')!, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
    const patPage = await newPage(person);
    await patPage.goto('/console/');
    await patPage.waitForURL(/\/console\/sessions$/);
    await expect.poll(() => heading(patPage), { timeout: WAIT }).toBe('Sessions');
    const nav = patPage.getByRole('navigation', { name: 'Main' }).getByRole('link');
    await expect.poll(() => nav.allTextContents(), { timeout: WAIT }).toEqual(['Sessions']);
    const patSessions = patPage.getByRole('table', { name: /Your sessions/ });
    await expect.poll(() => patSessions.getByText('This browser').count(), { timeout: WAIT }).toBe(1);
    await expect.poll(() => patSessions.getByText('identity provider company').count(), { timeout: WAIT }).toBe(1);
    expect(await patPage.getByRole('heading', { name: "Everyone's live sessions" }).count()).toBe(0);
    await expectAccessible(patPage, 'sessions-person');

    // The admin sees Pat's session among everyone's and revokes it.
    await page.reload();
    const everyone = page.getByRole('table', { name: /Live sessions of every operator and person/ });
    const patRow = everyone.getByRole('row').filter({ hasText: 'pat@company.example' });
    await expect.poll(() => patRow.count(), { timeout: WAIT }).toBe(1);
    const patId = (JSON.parse((await jar.request(`${server.url}/v1/sessions/mine`)).text).items as Array<{ id: string }>)[0]!.id;
    await patRow.getByRole('button', { name: `Revoke session ${patId}` }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: WAIT }).toBe(`Session ${patId} revoked.`);
    await expect.poll(() => patRow.count(), { timeout: WAIT }).toBe(0);

    // Pat's next page load finds no session and goes to sign-in.
    await patPage.reload();
    await patPage.waitForURL(/\/signin\?return_to=%2Fconsole%2Fsessions/, { timeout: WAIT });
  });

  it('loaded nothing from another origin and broke no CSP rule', () => {
    for (const watch of watches) {
      expect(watch.offsite).toEqual([]);
      expect(watch.errors).toEqual([]);
    }
  });
});
