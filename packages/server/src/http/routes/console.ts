import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { MandatePlugin } from '../plugin.js';

/**
 * The web console (packages/console) at /console: its built static files, index.html for every
 * client route (the console routes in the browser), and headers that hold it to its own origin:
 * a Content-Security-Policy without inline script or style, no framing, no referrer. Hashed
 * assets are cached for a year; index.html is revalidated, so a new build is seen at once.
 * Without a build, /console answers 503 saying how to make one.
 */

export const CONSOLE_PREFIX = '/console';

/**
 * Only this origin's own files and API; no inline script or style (the build inlines nothing),
 * no plugin, no framing (clickjacking), forms post only here (the sign-in page).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // same-origin, not no-referrer: under no-referrer a browser may send `Origin: null` with unsafe
  // requests (form posts do), which the session's origin check (CSRF) must refuse.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

/** Vite names built assets with a content hash, so they never change under one URL. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export const NOT_BUILT_MESSAGE =
  'The web console is not built. Run `npm run build` at the repository root (`npm install` does it too), then restart the server.';

/**
 * Where the built console is: the `@mandate/console` workspace package (resolved like any
 * dependency, so it works from src/ under tsx and from dist/), else the sibling folder in the
 * repository. Null when neither has a build (no dist/index.html).
 */
export function locateConsoleBuild(): string | null {
  const candidates: string[] = [];
  try {
    candidates.push(join(dirname(createRequire(import.meta.url).resolve('@mandate/console/package.json')), 'dist'));
  } catch {
    /* not linked into node_modules: try the repository layout */
  }
  // packages/server/{src,dist}/http/routes → packages/console/dist
  candidates.push(fileURLToPath(new URL('../../../../console/dist', import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** The console plugin over a build folder (null: not built → 503). */
export function consoleRoutesFrom(buildDir: string | null): MandatePlugin {
  return async (app) => {
    app.addHook('onSend', async (_request, reply) => {
      void reply.headers(SECURITY_HEADERS);
    });
    // /console → /console/ so the page's relative URLs and the client router agree.
    app.get(CONSOLE_PREFIX, { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`, 302));

    if (buildDir === null) {
      app.get(`${CONSOLE_PREFIX}/*`, { schema: { hide: true } }, async (_request, reply) =>
        reply.status(503).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(`${NOT_BUILT_MESSAGE}\n`),
      );
      return;
    }

    const assets = `${sep}assets${sep}`;
    await app.register(fastifyStatic, {
      root: buildDir,
      prefix: `${CONSOLE_PREFIX}/`,
      // One route per built file (read at start), so the fallback below gets every other path.
      wildcard: false,
      index: false,
      cacheControl: false,
      dotfiles: 'deny',
      setHeaders: (response, path) => {
        response.setHeader('cache-control', path.includes(assets) && basename(path) !== 'index.html' ? IMMUTABLE : REVALIDATE);
      },
    });

    // Client routes (/console/agents/x) get index.html; a missing asset stays a 404, never HTML.
    app.get(`${CONSOLE_PREFIX}/*`, { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0]!;
      if (path.startsWith(`${CONSOLE_PREFIX}/assets/`)) {
        return reply.status(404).send({ error: 'not_found', message: `no console asset ${path}`, request_id: request.id });
      }
      return reply.sendFile('index.html');
    });
  };
}

export const consoleRoutes: MandatePlugin = (app, options) => consoleRoutesFrom(locateConsoleBuild())(app, options);
