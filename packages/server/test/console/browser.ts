/**
 * The browser for the console's tests: Debian's Chromium driven by playwright-core (no
 * downloaded browser), headless, without sandbox, GPU or background networking. Where no
 * Chromium is installed the suites skip and say why (`.ci/run` installs it), so `npm test`
 * still passes on a bare machine.
 *
 * Also: screenshots into a gitignored folder, axe-core run inside the page, and a watch on
 * what the page does (requests to other origins, CSP violations, script errors).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Debian's package puts it here; MANDATE_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.MANDATE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Why the browser tests cannot run here, or null when they can. Printed once when they skip. */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  return `console browser tests skipped: no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package, as .ci/run does, or set MANDATE_CHROMIUM)`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Screenshots land here (in .tmp/, which git ignores). */
export const SCREENSHOT_DIR = join(repoRoot, '.tmp', 'console-screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in the page (WCAG 2.x A and AA rules) and returns the serious and critical
 * violations. The script is evaluated through the DevTools protocol, which the page's CSP
 * does not govern, so the console's own CSP stays as strict as in production.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export interface PageWatch {
  /** Requests to any origin but the server's (the console must work offline: no CDN, no font). */
  offsite: string[];
  /** Content-Security-Policy violations and uncaught script errors. */
  errors: string[];
}

export function watchPage(page: Page, origin: string): PageWatch {
  const watch: PageWatch = { offsite: [], errors: [] };
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('about:')) watch.offsite.push(url);
  });
  page.on('pageerror', (error) => watch.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy/i.test(text)) watch.errors.push(`csp: ${text}`);
  });
  return watch;
}

/** How long to wait for a page to show something (the approvals inbox polls every 3 s; the machine is shared). */
export const WAIT = 15_000;

/** Screenshots `page` as `name` and fails on any serious or critical axe-core violation, naming them. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const violations = await seriousA11yViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

/** Opens console `path` signed out, signs in on the sign-in page with an operator token, and waits to be back at `path`. */
export async function signInWithToken(page: Page, path: string, token: string): Promise<void> {
  await page.goto(path);
  await page.waitForURL(/\/signin\?return_to=/);
  await page.getByRole('textbox', { name: 'Operator token' }).fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === path);
}
