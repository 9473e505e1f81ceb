/**
 * The server serves the built console at /console: index.html for every client route, hashed
 * assets cached for a year, a Content-Security-Policy with no inline script or style, and a
 * 503 that says how to build the console when there is no build. (`npm test` builds first.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRoutesFrom, locateConsoleBuild, NOT_BUILT_MESSAGE } from '../../src/http/routes/console.js';
import { startTestServer, type TestServer } from '../support/server.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

describe('/console', () => {
  let server: TestServer;
  const build = locateConsoleBuild();
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('finds the build inside the repository (packages/console/dist)', () => {
    expect(build, 'the console is not built: run `npm run build`').not.toBeNull();
    expect(relative(repoRoot, build!)).toBe(join('packages', 'console', 'dist'));
  });

  it('redirects /console to /console/ and serves index.html with a strict CSP, revalidated', async () => {
    const bare = await server.app.inject({ method: 'GET', url: '/console' });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/console/');

    const page = await server.app.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toBe(CONSOLE_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // Nothing inline for the CSP to refuse: every script and stylesheet is a file of this origin.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.body).not.toMatch(/<style/);
    for (const [, url] of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) expect(url).toMatch(/^\/console\/assets\//);
  });

  it('answers every client route with index.html (SPA fallback), and a missing asset with 404', async () => {
    const index = (await server.app.inject({ method: 'GET', url: '/console/' })).body;
    for (const url of ['/console/agents', '/console/agents/agent-x?tab=1', '/console/approvals']) {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(index);
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    }
    const missing = await server.app.inject({ method: 'GET', url: '/console/assets/nope-123.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('serves hashed assets cached for a year, with the right types', async () => {
    const files = readdirSync(join(build!, 'assets'));
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(files.some((f) => f.endsWith('.css'))).toBe(true);
    for (const file of files) {
      const res = await server.app.inject({ method: 'GET', url: `/console/assets/${file}` });
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toMatch(file.endsWith('.js') ? /javascript/ : /text\/css/);
    }
  });

  it('loads nothing from elsewhere: no remote URL in index.html or the stylesheets (no CDN, no remote font)', () => {
    const texts = [readFileSync(join(build!, 'index.html'), 'utf8'), ...readdirSync(join(build!, 'assets')).filter((f) => f.endsWith('.css')).map((f) => readFileSync(join(build!, 'assets', f), 'utf8'))];
    for (const text of texts) {
      expect(text).not.toMatch(/https?:\/\//);
      expect(text).not.toMatch(/@import|url\(\s*['"]?\/\//);
    }
  });

  it('without a build answers 503 saying how to build it', async () => {
    const app = Fastify();
    await app.register(consoleRoutesFrom(null), { runtime: undefined as never });
    for (const url of ['/console/', '/console/agents']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.body).toContain(NOT_BUILT_MESSAGE);
      expect(res.body).toContain('npm run build');
    }
    await app.close();
  });
});
