/**
 * The console's review pages in a real browser (Debian's Chromium, playwright-core) against a
 * real server: the audit explorer verifies the chain and shows the last signed checkpoint and
 * an entry in full; an alert raised by a real burst of failed authentications is charted
 * against its baseline and acknowledged; a policy draft with a syntax error is evaluated and
 * the error is shown at its line, then the fixed draft evaluates; an agent's unused
 * permissions are narrowed in one click. Each page is screenshot (.tmp/console-screenshots)
 * and checked with axe-core (no serious or critical violation); nothing loads from another
 * origin and no CSP rule breaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { basic, postForm, registerAgent, startOAuthServer, type RegisteredAgent } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { browserSkipReason, expectAccessible, launchBrowser, signInWithToken, WAIT, watchPage, type PageWatch } from './browser.js';

const skip = browserSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== null)('the audit, alerts, policies and least-privilege pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let watch: PageWatch;
  let agent: RegisteredAgent;
  let agentName = '';

  const open = async (nav: string, heading: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: nav }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: WAIT }).toBe(heading);
  };

  beforeAll(async () => {
    server = await startOAuthServer('sqlite', {
      config: {
        audit: { checkpointEveryEntries: 5 },
        monitoring: { signals: { error_rate: { zScore: 6, minCount: 10, severity: 'medium', escalateZScore: 12, escalatedSeverity: 'high', burstPerMinute: 3 } } },
      },
    });
    // An agent that reads calendars but was granted more, and tried a wrong secret three times.
    agentName = `reader ${Math.random().toString(36).slice(2, 7)}`;
    agent = await registerAgent(server, { name: agentName, scopes: ['calendar:read', 'calendar:write', 'files:delete'], tools: ['google-calendar-api', 'files-api'], data_classification: 'confidential' });
    const token = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, agent.clientSecret) });
    const read = { action: 'read', tool: 'google-calendar-api:events.list', resource: { type: 'calendar', id: 'primary', owner: 'alice@example.com', sensitivity: 'internal' } };
    expect((await server.api('POST', '/v1/authorize', read, { token: token.body.access_token })).body.decision).toBe('allow');
    for (let i = 0; i < 3; i += 1) await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(agent.clientId, 'wrong-secret-wrong-secret') });
    await server.runtime.audit.flush();
    await server.runtime.monitoring.idle();
    await server.runtime.audit.checkpointIfDueNow();

    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watch = watchPage(page, server.url);
    await signInWithToken(page, '/console/audit', server.adminToken);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the audit explorer verifies the chain, shows the last signed checkpoint, filters and opens an entry', async () => {
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: WAIT }).toBe('Audit');
    const latest = (await server.api('GET', '/v1/audit/checkpoints/latest')).body;
    await expect.poll(() => page.getByRole('definition').filter({ hasText: `seq ${latest.seq}` }).count(), { timeout: WAIT }).toBe(1);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const verified = (await server.api('GET', '/v1/audit/verify')).body;
    expect(verified.ok).toBe(true);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Chain intact' }).textContent(), { timeout: WAIT }).toMatch(/Chain intact: \d+ entries and \d+ signed checkpoints verify/);

    await page.getByLabel('Type').fill('oauth.token.*');
    await page.getByLabel('Agent').fill(agent.id);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const table = page.getByRole('table', { name: /Audit entries/ });
    // The agent's token issuance; its decision is another type, and the refusals name only a client_id.
    await expect.poll(() => table.getByText('policy.decision', { exact: true }).count(), { timeout: WAIT }).toBe(0);
    await expect.poll(() => table.getByText('oauth.token.issued', { exact: true }).count(), { timeout: WAIT }).toBe(1);
    const first = (await server.api('GET', `/v1/audit?type=oauth.token.*&agent=${agent.id}&limit=1`)).body.items[0];
    await page.getByRole('button', { name: `Show entry ${first.seq}` }).click();
    await page.getByRole('heading', { name: `Entry ${first.seq}` }).waitFor({ timeout: WAIT });
    await expect.poll(() => page.getByText(first.hash, { exact: true }).count(), { timeout: WAIT }).toBe(1);
    await expectAccessible(page, 'audit');
  });

  it('charts an alert against its baseline and acknowledges it', async () => {
    await open('Alerts', 'Alerts');
    const alert = (await server.api('GET', `/v1/alerts?agent=${agent.id}`)).body.items[0];
    expect(alert).toMatchObject({ signal: 'error_rate', status: 'open' });
    const row = page.getByRole('row').filter({ hasText: agent.id });
    await row.waitFor({ timeout: WAIT });
    await row.getByRole('button', { name: 'Chart' }).click();
    await page.getByRole('heading', { name: `Alert ${alert.id}` }).waitFor({ timeout: WAIT });
    await expect.poll(() => page.locator('figure.chart canvas').count(), { timeout: WAIT }).toBeGreaterThan(0);
    await expect.poll(() => page.getByRole('img', { name: /error_rate: observed against baseline/ }).count(), { timeout: WAIT }).toBe(1);
    await expectAccessible(page, 'alerts');

    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.getByText(`Alert ${alert.id} acknowledged.`).count(), { timeout: WAIT }).toBe(1);
    expect((await server.api('GET', `/v1/alerts/${alert.id}`)).body.status).toBe('acknowledged');
  });

  it('shows a draft policy\'s syntax error at its line, evaluates the fixed draft and lists revisions', async () => {
    await open('Policies', 'Policies');
    await page.getByRole('button', { name: 'Edit mandate/authz.rego' }).click();
    const source = page.getByLabel('Rego source');
    const original = await source.inputValue();
    const lines = original.split('\n');
    const row = lines.findIndex((l) => l.startsWith('allow if count(deny) == 0')) + 1;
    expect(row).toBeGreaterThan(0);
    await source.fill(original.replace('allow if count(deny) == 0', 'allow if count(deny) =='));
    await page.getByLabel('Document to evaluate (under data)').fill('mandate/authz/allow');
    await page.getByRole('button', { name: 'Evaluate draft' }).click();
    const errors = page.getByRole('alert').filter({ hasText: 'does not compile' });
    await errors.waitFor({ timeout: WAIT });
    const reported = (await errors.getByRole('button', { name: /^Line \d+/ }).first().textContent()) ?? '';
    expect(Number(/Line (\d+)/.exec(reported)?.[1])).toBeGreaterThanOrEqual(row);
    expect(await source.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'policies-error');

    // The fixed draft evaluates against the sample input (an undefined agent: not allowed), and nothing was stored.
    await source.fill(original);
    await page.getByRole('button', { name: 'Evaluate draft' }).click();
    await expect.poll(() => page.getByLabel('Evaluation result').textContent(), { timeout: WAIT }).toBe('false');
    expect((await server.api('GET', '/v1/policy-revisions')).body.result).toHaveLength(1);
    await page.getByRole('button', { name: /What-if replay/ }).click();
    await expect.poll(() => page.getByText(/logged decisions of the last 24 h re-evaluated against the draft/).count(), { timeout: WAIT }).toBe(1);
    await page.getByRole('button', { name: 'View revision 1' }).click();
    await page.getByRole('heading', { name: 'Revision 1' }).waitFor({ timeout: WAIT });
    await expectAccessible(page, 'policies');
  });

  it('narrows an agent\'s registration to what it used in one click', async () => {
    await open('Least privilege', 'Least privilege');
    await page.getByRole('button', { name: `Check unused permissions of ${agentName}` }).click();
    const report = page.getByRole('region', { name: `Unused permissions of ${agent.id}` });
    await expect.poll(() => report.textContent(), { timeout: WAIT }).toContain('calendar:write, files:delete');
    await expectAccessible(page, 'least-privilege');
    await report.getByRole('button', { name: 'Apply narrowed registration' }).click();
    await expect.poll(() => report.getByRole('status').textContent(), { timeout: WAIT }).toBe(`Registration of ${agent.id} narrowed.`);
    expect((await server.api('GET', `/v1/agents/${agent.id}`)).body).toMatchObject({ scopes: ['calendar:read'], tools: ['google-calendar-api'], data_classification: 'internal' });
    await expect.poll(() => report.textContent(), { timeout: WAIT }).toContain('Nothing to narrow.');
  });

  it('loaded nothing from another origin and broke no CSP rule', () => {
    expect(watch.offsite).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});
