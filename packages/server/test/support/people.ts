import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestServer } from './server.js';

/**
 * What people's-client tests share: a Client ID Metadata Document served over real HTTP on a
 * loopback port (the server under test runs on a loopback issuer, so http there is allowed),
 * and the browser's part of the authorization endpoint (follow to the consent page, answer it).
 */
export interface MetadataHost {
  url: string;
  /** Serves `document` at `path` with these response headers; returns the document's URL. */
  serve(path: string, document: unknown, headers?: Record<string, string>): string;
  fetches(path: string): number;
  close(): Promise<void>;
}

/** Serves over http, or over https with this certificate (support/tls.ts), on 127.0.0.1. */
export async function startMetadataHost(tls?: { certFile: string; keyFile: string }): Promise<MetadataHost> {
  const documents = new Map<string, { body: string; headers: Record<string, string> }>();
  const counts = new Map<string, number>();
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const found = documents.get(path);
    if (!found) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json', ...found.headers }).end(found.body);
  };
  const server: Server = tls ? createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    serve: (path, document, headers = {}) => {
      documents.set(path, { body: typeof document === 'string' ? document : JSON.stringify(document), headers });
      return `${url}${path}`;
    },
    fetches: (path) => counts.get(path) ?? 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The hidden inputs of the consent page's form, as the browser would post them back. */
export function consentForm(html: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form[match[1]!] = match[2]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }
  return form;
}

/** Sign-in of the browser: the headers (cookie or bearer) every authorization-endpoint request carries. */
export type Browser = { headers: Record<string, string> };

/**
 * A browser signed in with a session (signin/: `POST /signin/token`, the operator-token sign-in
 * of the sign-in page): it carries the `mandate_session` cookie; the consent page's form carries
 * the session's CSRF token.
 */
export async function sessionBrowser(server: TestServer, token: string): Promise<Browser & { csrfToken: string }> {
  const response = await fetch(`${server.url}/signin/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('mandate_session='));
  if (!cookie) throw new Error('sign-in set no mandate_session cookie');
  const body = (await response.json()) as { csrf_token: string };
  return { headers: { cookie: cookie.split(';')[0]! }, csrfToken: body.csrf_token };
}

/** The browser as the admin operator (its token as Bearer: the authorization endpoint accepts operators' tokens). */
export function adminBrowser(server: TestServer): Browser {
  return { headers: { authorization: `Bearer ${server.adminToken}` } };
}

/**
 * A person's browser at the authorization endpoint: GET the request; on the consent page,
 * answer `decision`; returns where Mandate finally redirects (the client's redirect URI with
 * code or error), or the page it showed instead.
 */
export async function authorizeInBrowser(authorizationUrl: string, browser: Browser, decision: 'allow' | 'deny' = 'allow'): Promise<{ status: number; location: string | null; page: string }> {
  const first = await fetch(authorizationUrl, { redirect: 'manual', headers: browser.headers });
  const page = await first.text();
  if (first.status !== 200) return { status: first.status, location: first.headers.get('location'), page };
  const form = { ...consentForm(page), decision };
  const answer = await fetch(new URL('/oauth2/authorize', authorizationUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { ...browser.headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: answer.status, location: answer.headers.get('location'), page: await answer.text() };
}
