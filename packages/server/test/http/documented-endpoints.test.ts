import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mcpGuard } from '@mandate/sdk/mcp';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Issue 10, item 18: docs that promise what is not there. Every endpoint the README and docs/
 * name is either served, or sits on a line marked "Not served yet" and answers 404 (so the
 * mark goes when the endpoint comes). `/metrics` was described as served and answered 404.
 */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const MARK = /\*\(Not (?:served|supported) yet/;
const PATH = /(?<![\w$])(\/v1(?:\/[\w.{}:*-]+)+|\/oauth2\/[\w-]+|\/\.well-known\/[\w.-]+|\/metrics|\/healthz|\/readyz|\/openapi\.json)/g;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface Mention {
  file: string;
  line: number;
  path: string;
  marked: boolean;
}

function mentions(): Mention[] {
  const files = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  const found: Mention[] = [];
  for (const file of files) {
    readFileSync(join(repoRoot, file), 'utf8')
      .split('\n')
      .forEach((text, index) => {
        // `{id}`-style placeholders become a concrete segment; a space inside one (`{its id}`) too.
        const concrete = text.replace(/\{[^}]*\}/g, 'x');
        for (const match of concrete.matchAll(PATH)) {
          const path = match[1]!.replace(/[.:]+$/, '');
          found.push({ file, line: index + 1, path, marked: MARK.test(text) });
        }
      });
  }
  return found;
}

describe('endpoints named in the docs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  /**
   * Endpoints that resource servers built with the SDK serve, not Mandate itself (docs/mcp.md):
   * checked against a guarded server whose canonical URI is its root.
   */
  const SERVED_BY_SDK_SERVERS = new Set(['/.well-known/oauth-protected-resource']);
  async function servedBySdkServer(path: string): Promise<boolean> {
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const guard = mcpGuard({ issuer: server.url, resource: origin, credentials: { clientId: 'unused', clientSecret: 'unused' }, tools: {} });
    http.on('request', guard.listener(async (_req, res) => void res.writeHead(204).end()));
    try {
      return (await fetch(`${origin}${path}`)).status === 200;
    } finally {
      await guard.close();
      await new Promise((resolve) => http.close(resolve));
    }
  }

  /** Whether any method reaches a route (not the not-found handler); no credentials, so nothing changes. */
  async function served(path: string): Promise<boolean> {
    if (SERVED_BY_SDK_SERVERS.has(path)) return servedBySdkServer(path);
    for (const method of METHODS) {
      const res = await server.app.inject({ method, url: path });
      const body = res.headers['content-type']?.toString().includes('json') ? (res.json() as { message?: string }) : {};
      if (!(res.statusCode === 404 && String(body.message ?? '').startsWith('no route'))) return true;
    }
    return false;
  }

  it('finds the endpoints it is meant to check', () => {
    const paths = new Set(mentions().map((m) => m.path));
    for (const expected of ['/v1/authorize', '/oauth2/token', '/metrics', '/v1/approvals/x']) expect(paths).toContain(expected);
  });

  it('are served, or marked "Not served yet" and answer 404', async () => {
    const wrong: string[] = [];
    for (const mention of mentions()) {
      const ok = await served(mention.path);
      if (ok === mention.marked) wrong.push(`${mention.file}:${mention.line} ${mention.path} ${ok ? 'is served but marked "Not served yet"' : 'answers 404 but is not marked "Not served yet"'}`);
    }
    expect(wrong).toEqual([]);
  });
});
