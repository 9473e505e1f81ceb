/**
 * The console in a real browser (Debian's Chromium, playwright-core) against a real server:
 * sign in with an operator token, register an agent (its secret shown once), watch the
 * approvals inbox pick up a request raised by a real `POST /v1/authorize` decision without a
 * reload, approve it, suspend the agent after a confirmation that lists what stops working,
 * and see the audit entries of all of it on the agent's page. Each main page is screenshot
 * (.tmp/console-screenshots) and checked with axe-core: no serious or critical violation.
 * Throughout, the page loads nothing from another origin and breaks no CSP rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { basic, postForm, startOAuthServer } from '../support/agents.js';
import type { TestServer } from '../support/server.js';
import { browserSkipReason, expectAccessible, launchBrowser, screenshot, seriousA11yViolations, WAIT, watchPage, type PageWatch } from './browser.js';

const skip = browserSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== null)('the console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;
  const agentName = `deleter ${Math.random().toString(36).slice(2, 7)}`;
  let agentId = '';
  let clientId = '';
  let clientSecret = '';
  let approvalId = '';

  const deleteRequest = (extra: Record<string, unknown> = {}) => ({
    action: 'delete',
    tool: 'files-api:files.delete',
    resource: { type: 'files', id: 'q3.pdf', owner: 'alice@example.com', sensitivity: 'internal' },
    ...extra,
  });
  const agentToken = async () => {
    const res = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(clientId, clientSecret) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.access_token as string;
  };

  beforeAll(async () => {
    server = await startOAuthServer('sqlite');
    browser = await launchBrowser();
    context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watch = watchPage(page, server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends an unsigned visitor to the sign-in page, and back to the console after an operator token', async () => {
    await page.goto('/console/');
    await page.waitForURL(/\/signin\?return_to=/);
    expect(decodeURIComponent(new URL(page.url()).searchParams.get('return_to') ?? '')).toMatch(/^\/console\//);
    await expectAccessible(page, 'signin');
    await page.getByRole('textbox', { name: 'Operator token' }).fill(server.adminToken);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/console\/agents$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: WAIT }).toBe('Agents');
    // The session is an HttpOnly cookie; nothing is kept in web storage.
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'mandate_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length }));
    expect(stored).toEqual({ local: 0, session: 0 });
    expect(await page.evaluate(() => document.cookie)).not.toContain('mandate_session');
    await expectAccessible(page, 'agents');
  });

  it('registers an agent from the Agents page and shows its client secret once', async () => {
    await page.getByRole('button', { name: 'Register an agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register an agent' });
    await dialog.getByLabel('Name').fill(agentName);
    await dialog.getByLabel('Purpose').fill('cleans up old files');
    await dialog.getByLabel(/^Owner/).fill('alice@example.com');
    await dialog.getByLabel(/^Scopes/).fill('files:read files:delete');
    await dialog.getByLabel(/^Tools/).fill('files-api:files.delete');
    await dialog.getByLabel('Maximum data classification').selectOption('confidential');
    await dialog.getByLabel('Environment').fill('production');
    await dialog.getByRole('button', { name: 'Register' }).click();

    const shown = page.getByRole('dialog', { name: 'Agent registered' });
    await shown.waitFor();
    await screenshot(page, 'agent-registered');
    agentId = (await shown.locator('dd').nth(0).textContent())!.trim();
    clientId = (await shown.locator('dd').nth(1).textContent())!.trim();
    clientSecret = (await shown.locator('dd').nth(2).textContent())!.trim();
    expect(clientSecret.length).toBeGreaterThan(20);
    // The registry has it, as the console said.
    const read = await server.api('GET', `/v1/agents/${agentId}`);
    expect(read.body).toMatchObject({ name: agentName, owner: 'alice@example.com', status: 'active', data_classification: 'confidential' });
    await shown.getByRole('button', { name: 'Close' }).click();

    // Listed, filterable by search and classification.
    await page.getByLabel('Search').fill(agentName);
    await page.getByLabel('Classification').selectOption('confidential');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByRole('link', { name: agentName }).count(), { timeout: WAIT }).toBe(1);
    await page.getByLabel('Classification').selectOption('public');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByRole('link', { name: agentName }).count(), { timeout: WAIT }).toBe(0);
  });

  it('shows a request raised by a real decision in the approvals inbox without a reload, and approves it', async () => {
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.waitForURL(/\/console\/approvals$/);
    await expect.poll(() => page.getByText('0 pending requests').count(), { timeout: WAIT }).toBe(1);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));

    // The agent asks to delete: the default policy wants a human (delete_requires_human_approval).
    const token = await agentToken();
    const asked = await server.api('POST', '/v1/authorize', deleteRequest(), { token });
    expect(asked.body.decision, JSON.stringify(asked.body)).toBe('approval_required');
    approvalId = asked.body.approval_id;

    const card = page.getByRole('article').filter({ hasText: agentId });
    await card.waitFor({ timeout: 15_000 });
    expect(navigations).toEqual([]);
    await expect.poll(() => card.textContent(), { timeout: WAIT }).toContain('files-api:files.delete');
    expect(await card.textContent()).toContain('q3.pdf');
    expect(await card.textContent()).toContain('delete_requires_human_approval');
    await expectAccessible(page, 'approvals');

    await card.getByLabel('Reason for your decision').fill('old quarter, fine to delete');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.getByText(`Decided ${approvalId}: approved.`).count(), { timeout: WAIT }).toBe(1);
    await expect.poll(() => page.getByRole('article').filter({ hasText: agentId }).count(), { timeout: WAIT }).toBe(0);

    const approval = await server.api('GET', `/v1/approvals/${approvalId}`);
    expect(approval.body).toMatchObject({ status: 'approved', decision_reason: 'old quarter, fine to delete' });
    // The approval works for exactly the action it was asked for.
    const retried = await server.api('POST', '/v1/authorize', deleteRequest({ approval_id: approvalId }), { token });
    expect(retried.body.decision).toBe('allow');
  });

  it("suspends the agent after a confirmation listing what stops working, and shows the audit entries on its page", async () => {
    await page.goto(`/console/agents/${agentId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: WAIT }).toBe(`Agent ${agentId}`);
    await page.getByRole('heading', { name: 'Recent activity' }).waitFor();
    // Its live token (the one that asked and retried) is listed, and the six signals are drawn.
    const tokens = page.getByRole('table', { name: /Access tokens/ });
    await expect.poll(() => tokens.getByRole('row').count(), { timeout: WAIT }).toBe(2);
    await expect.poll(() => page.locator('figure.chart canvas').count(), { timeout: WAIT }).toBe(6);
    const jti = (await tokens.getByRole('row').nth(1).getByRole('cell').first().textContent())!.trim();
    await expectAccessible(page, 'agent-detail');

    await page.getByRole('group', { name: 'Agent actions' }).getByRole('button', { name: 'Suspend' }).click();
    const confirm = page.getByRole('dialog', { name: `Suspend ${agentName}?` });
    await confirm.waitFor();
    await expect.poll(() => confirm.getByRole('listitem').first().textContent(), { timeout: WAIT }).toContain(`access token issued to ${clientId}`);
    await expect.poll(() => confirm.getByText(`access token ${jti}`).count(), { timeout: WAIT }).toBe(1);
    await screenshot(page, 'suspend-confirmation');
    await confirm.getByLabel(/^Reason/).fill('investigating');
    await confirm.getByRole('button', { name: 'Confirm suspend' }).click();
    await expect.poll(() => page.getByText('Revoked with the move').count(), { timeout: WAIT }).toBe(1);
    expect((await server.api('GET', `/v1/agents/${agentId}`)).body).toMatchObject({ status: 'suspended', status_reason: 'investigating' });
    await expect.poll(() => page.getByRole('group', { name: 'Agent actions' }).getByRole('button', { name: 'Resume' }).count(), { timeout: WAIT }).toBe(1);

    // The activity table lists what happened, read from the audit log.
    const activity = page.getByRole('table', { name: /Audit entries for this agent/ });
    for (const type of ['agent.registered', 'approval.requested', 'approval.approved', 'approval.used', 'agent.suspended']) {
      await expect.poll(() => activity.getByText(type, { exact: true }).count(), { message: type, timeout: WAIT }).toBeGreaterThan(0);
    }
    await screenshot(page, 'agent-detail-suspended');
  });

  it('loaded nothing from another origin and broke no CSP rule', () => {
    expect(watch.offsite).toEqual([]);
    expect(watch.errors).toEqual([]);
  });

  it('has an accessibility check that can fail: axe reports an unlabelled field and an image without text', async () => {
    const bare = await context.newPage();
    await bare.setContent('<!doctype html><html lang="en"><title>t</title><main><img src="/x.png"><input type="text"></main></html>');
    const ids = (await seriousA11yViolations(bare)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['image-alt', 'label']));
    await bare.close();
  });
});
