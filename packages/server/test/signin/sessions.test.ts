import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { freePort } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { Browser } from './browser.js';

/**
 * Browser sessions (issue 17 items 1 and 5, docs/signin.md): the operator-token form, the
 * cookie's flags, CSRF on unsafe requests, absolute and idle expiry on an injected clock,
 * sign-out and revocation, the open-redirect guard on return_to. Real HTTP on both stores.
 */
describe.each(storeKinds())('browser sessions on %s', (kind) => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 9));
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    server = await startTestServer({ kind, clock, config: { port, issuer: `http://127.0.0.1:${port}`, signin: { failedAttemptsPerMinute: 5 } } });
    base = server.url;
  });
  afterAll(async () => server?.stop());

  /** A browser signed in as the bootstrap admin through the JSON form of POST /signin/token. */
  async function signedIn(): Promise<{ browser: Browser; csrf: string; body: any }> {
    const browser = new Browser();
    const hop = await browser.request(`${base}/signin/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: server.adminToken }) });
    expect(hop.status).toBe(200);
    const body = JSON.parse(hop.text);
    return { browser, csrf: body.csrf_token, body };
  }

  const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({ method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('serves a sign-in page with a labelled operator-token form and no script', async () => {
    const hop = await new Browser().request(`${base}/signin?return_to=${encodeURIComponent('/console/agents?x="<b>')}`);
    expect(hop.status).toBe(200);
    expect(hop.headers.get('content-type')).toMatch(/text\/html/);
    expect(hop.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(hop.text).toContain('<label for="token">');
    expect(hop.text).toContain('<form method="post" action="/signin/token">');
    expect(hop.text).not.toMatch(/<script/i);
    // return_to is carried into the form, escaped.
    expect(hop.text).toContain('value="/console/agents?x=&quot;&lt;b&gt;"');
  });

  it('signs in with the form: 303 to return_to, a HttpOnly SameSite=Lax cookie, only its hash stored', async () => {
    const browser = new Browser();
    const hop = await browser.postForm(`${base}/signin/token`, { token: server.adminToken, return_to: '/console/approvals?status=pending' });
    expect(hop.status).toBe(303);
    expect(hop.location).toBe(`${base}/console/approvals?status=pending`);
    const cookie = browser.cookies(base).get('mandate_session')!;
    expect(cookie.value).toMatch(/^mss_[\w-]{43}$/);
    const attributes = cookie.attributes.map((a) => a.toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', 'max-age=28800']));
    // The issuer is http on loopback: a Secure cookie would never come back there.
    expect(attributes).not.toContain('secure');
    const rows = await server.runtime.store.db.selectFrom('signin_sessions').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(cookie.value);
    // And the session works on /v1 as the admin.
    const me = await browser.request(`${base}/v1/session`);
    expect(me.status).toBe(200);
    expect(JSON.parse(me.text).principal).toEqual({ kind: 'operator', id: 'admin', email: expect.any(String), roles: ['admin'] });
  });

  it('never redirects off the server: return_to must be a local path', async () => {
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'evil', `/${'a'.repeat(3000)}`, '/ok\r\nSet-Cookie: x=y']) {
      const hop = await new Browser().postForm(`${base}/signin/token`, { token: server.adminToken, return_to: evil });
      expect(hop.status, evil).toBe(303);
      expect(hop.location, evil).toBe(`${base}/console/`);
    }
    const page = await new Browser().request(`${base}/signin?return_to=${encodeURIComponent('//evil.example')}`);
    expect(page.text).toContain('name="return_to" value="/console/"');
  });

  it('answers JSON sign-in with the principal and CSRF token; a bad token is 401 and audited without the token', async () => {
    const { browser, body } = await signedIn();
    expect(body).toMatchObject({ principal: { kind: 'operator', id: 'admin', roles: ['admin'] }, csrf_token: expect.any(String), expires_at: '2026-06-01T17:00:00.000Z' });
    const session = JSON.parse((await browser.request(`${base}/v1/session`)).text);
    expect(session).toEqual(body);
    // The operator's roles apply to /v1 reads.
    expect((await browser.request(`${base}/v1/operators`)).status).toBe(200);

    const bad = await new Browser().request(`${base}/signin/token`, json('POST', { token: 'mop_nope.wrong-secret-value' }));
    expect(bad.status).toBe(401);
    const form = await new Browser().postForm(`${base}/signin/token`, { token: 'mop_nope.wrong', return_to: '/console/' });
    expect(form.status).toBe(401);
    expect(form.text).toContain('role="alert"');
    const audit = await server.api('GET', '/v1/audit?type=signin.refused');
    expect(audit.body.items.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audit.body)).not.toContain('wrong-secret-value');
    const ok = await server.api('GET', '/v1/audit?type=signin.succeeded');
    expect(ok.body.items[0]).toMatchObject({ actor: { kind: 'operator', id: 'admin' }, details: { method: 'token' } });
    expect(JSON.stringify(ok.body)).not.toContain(browser.cookie(base, 'mandate_session'));
  });

  it('refuses unsafe requests on the session without the CSRF token, with a wrong one, or from another origin', async () => {
    const { browser, csrf } = await signedIn();
    const create = (headers: Record<string, string>) => browser.request(`${base}/v1/operators`, json('POST', { email: `csrf-${kind}-${Math.random()}@example.com`, roles: ['auditor'] }, headers));
    const missing = await create({});
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.text)).toMatchObject({ error: 'csrf_token_invalid', error_description: expect.stringMatching(/x-csrf-token/) });
    const wrong = await create({ 'x-csrf-token': `${csrf.slice(0, -2)}xx` });
    expect(wrong.status).toBe(403);
    expect(JSON.parse(wrong.text).error).toBe('csrf_token_invalid');
    const foreign = await create({ 'x-csrf-token': csrf, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.text).error_description).toMatch(/another origin/);
    // The same request from the issuer's own origin with the token passes.
    expect((await create({ 'x-csrf-token': csrf, origin: base })).status).toBe(201);
    // A bearer request is unchanged: no CSRF token needed.
    expect((await server.api('POST', '/v1/operators', { email: `bearer-${kind}@example.com`, roles: ['auditor'] })).status).toBe(201);
    // The sign-in form itself refuses another origin (login CSRF).
    const login = await new Browser().postForm(`${base}/signin/token`, { token: server.adminToken }, { origin: 'https://evil.example' });
    expect(login.status).toBe(403);
  });

  it('ends a session when idle for sessionIdleSeconds, and at sessionTtlSeconds however used', async () => {
    const idle = await signedIn();
    clock.advance(59 * 60_000);
    expect((await idle.browser.request(`${base}/v1/session`)).status).toBe(200);
    clock.advance(59 * 60_000);
    expect((await idle.browser.request(`${base}/v1/session`)).status).toBe(200);
    clock.advance(61 * 60_000);
    const ended = await idle.browser.request(`${base}/v1/session`);
    expect(ended.status).toBe(401);
    expect(JSON.parse(ended.text).message).toMatch(/sign in again/);

    const busy = await signedIn();
    for (let i = 0; i < 15; i++) {
      clock.advance(30 * 60_000);
      expect((await busy.browser.request(`${base}/v1/session`)).status, `after ${(i + 1) / 2} h`).toBe(200);
    }
    clock.advance(30 * 60_000); // 8 h after sign-in
    expect((await busy.browser.request(`${base}/v1/session`)).status).toBe(401);
  });

  it('signs out (CSRF required) and clears the cookie; an admin revokes a session; a disabled operator loses theirs', async () => {
    const { browser, csrf } = await signedIn();
    const stolen = browser.cookie(base, 'mandate_session')!;
    expect((await browser.request(`${base}/v1/session/logout`, { method: 'POST' })).status).toBe(403);
    const out = await browser.request(`${base}/v1/session/logout`, { method: 'POST', headers: { 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expect(browser.cookie(base, 'mandate_session')).toBeUndefined();
    // The old value no longer works, even replayed by hand.
    expect((await fetch(`${base}/v1/session`, { headers: { cookie: `mandate_session=${stolen}` } })).status).toBe(401);

    clock.advance(1_000);
    const other = await signedIn();
    const list = await server.api('GET', '/v1/sessions');
    expect(list.status).toBe(200);
    const mine = list.body.items.find((s: any) => s.id && s.kind === 'operator' && s.principal_id === 'admin');
    expect(mine).toMatchObject({ method: 'token', email: expect.any(String), idle_expires_at: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toContain(other.browser.cookie(base, 'mandate_session'));
    // Newest first: the session just started is the first.
    const id: string = list.body.items[0].id;
    expect((await server.api('DELETE', `/v1/sessions/${id}`)).status).toBe(204);
    expect((await server.api('DELETE', `/v1/sessions/${id}`)).status).toBe(409);
    expect((await server.api('DELETE', '/v1/sessions/ses_unknown')).status).toBe(404);
    expect((await other.browser.request(`${base}/v1/session`)).status).toBe(401);
    const revoked = await server.api('GET', '/v1/audit?type=signin.session_revoked');
    expect(revoked.body.items[0]).toMatchObject({ actor: { kind: 'operator', id: 'admin' }, details: { session_id: id } });

    // An operator disabled after signing in is signed out at once.
    const created = await server.api('POST', '/v1/operators', { email: `gone-${kind}@example.com`, roles: ['auditor'] });
    const gone = new Browser();
    expect((await gone.request(`${base}/signin/token`, json('POST', { token: created.body.token }))).status).toBe(200);
    expect((await gone.request(`${base}/v1/session`)).status).toBe(200);
    // An auditor may read the list but not revoke.
    expect((await gone.request(`${base}/v1/sessions`)).status).toBe(200);
    await server.api('POST', `/v1/operators/${created.body.operator.id}/disable`);
    expect((await gone.request(`${base}/v1/session`)).status).toBe(401);
  });

  it('lets a holder list their own sessions and end another of them (a lost laptop), never anyone else’s', async () => {
    const laptop = await signedIn();
    const phone = await signedIn();
    const created = await server.api('POST', '/v1/operators', { email: `colleague-${kind}@example.com`, roles: ['auditor'] });
    const colleague = new Browser();
    expect((await colleague.request(`${base}/signin/token`, json('POST', { token: created.body.token }))).status).toBe(200);
    const own = async (browser: Browser) => JSON.parse((await browser.request(`${base}/v1/sessions/mine`)).text).items as Array<{ id: string; kind: string; principal_id: string; current: boolean }>;
    const currentId = async (browser: Browser) => (await own(browser)).find((s) => s.current)!.id;

    const fromLaptop = await own(laptop.browser);
    expect(fromLaptop.every((s) => s.kind === 'operator' && s.principal_id === 'admin')).toBe(true);
    expect(fromLaptop.filter((s) => s.current)).toHaveLength(1);
    const phoneId = await currentId(phone.browser);
    const colleagueId = await currentId(colleague);
    expect(fromLaptop.map((s) => s.id)).toContain(phoneId);
    expect(fromLaptop.map((s) => s.id)).not.toContain(colleagueId);
    expect(fromLaptop.find((s) => s.current)!.id).not.toBe(phoneId);

    // Unsafe: CSRF required; another's session is not found (its existence is not confirmed).
    expect((await laptop.browser.request(`${base}/v1/sessions/mine/${phoneId}`, { method: 'DELETE' })).status).toBe(403);
    expect((await laptop.browser.request(`${base}/v1/sessions/mine/${colleagueId}`, { method: 'DELETE', headers: { 'x-csrf-token': laptop.csrf } })).status).toBe(404);
    expect((await colleague.request(`${base}/v1/session`)).status).toBe(200);
    const ended = await laptop.browser.request(`${base}/v1/sessions/mine/${phoneId}`, { method: 'DELETE', headers: { 'x-csrf-token': laptop.csrf } });
    expect(ended.status).toBe(204);
    expect((await phone.browser.request(`${base}/v1/session`)).status).toBe(401);
    expect((await laptop.browser.request(`${base}/v1/session`)).status).toBe(200);
    expect((await laptop.browser.request(`${base}/v1/sessions/mine/${phoneId}`, { method: 'DELETE', headers: { 'x-csrf-token': laptop.csrf } })).status).toBe(409);
    const audit = await server.api('GET', '/v1/audit?type=signin.signed_out');
    expect(audit.body.items[0]).toMatchObject({ actor: { kind: 'operator', id: 'admin' }, details: { session_id: phoneId } });
    // About the browser session: a bearer credential has none to list.
    expect((await server.api('GET', '/v1/sessions/mine')).status).toBe(400);
  });

  it('brakes repeated failed sign-ins from one address with 429 before checking the token', async () => {
    clock.advance(120_000);
    for (let i = 0; i < 5; i++) expect((await new Browser().request(`${base}/signin/token`, json('POST', { token: `mop_x.bad${i}` }))).status).toBe(401);
    const braked = await new Browser().request(`${base}/signin/token`, json('POST', { token: server.adminToken }));
    expect(braked.status).toBe(429);
    expect(Number(braked.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(61_000);
    expect((await new Browser().request(`${base}/signin/token`, json('POST', { token: server.adminToken }))).status).toBe(200);
  });

  it('refuses bodies over the limit and unknown fields', async () => {
    const big = await new Browser().request(`${base}/signin/token`, json('POST', { token: 'x'.repeat(9000) }));
    expect(big.status).toBe(413);
    const extra = await new Browser().request(`${base}/signin/token`, json('POST', { token: 'mop_a.b', admin: true }));
    expect(extra.status).toBe(400);
  });
});
