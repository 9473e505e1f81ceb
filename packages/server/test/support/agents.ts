/**
 * Agents and tokens for integration suites: a server whose issuer is its real URL, agents and
 * resource servers registered through the admin API, and form posts to the OAuth endpoints
 * (every token issued is cross-verified with jose).
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Clock } from '../../src/shared/clock.js';
import type { Dialect } from '../../src/storage/database.js';
import { freePort } from './process.js';
import { startTestServer, type TestServer } from './server.js';

/** A Mandate server whose issuer equals its real URL (metadata, aud and DPoP htu depend on it). */
export async function startOAuthServer(kind: Dialect, options: { clock?: Clock; config?: Record<string, unknown> } = {}): Promise<TestServer> {
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    try {
      return await startTestServer({
        kind,
        ...(options.clock ? { clock: options.clock } : {}),
        config: { port, issuer: `http://127.0.0.1:${port}`, ...(options.config ?? {}) },
      });
    } catch (error) {
      // Another process may take the probed port before the server binds it.
      if (attempt >= 3 || !String((error as Error).message).includes('EADDRINUSE')) throw error;
    }
  }
}

export interface RegisteredAgent {
  id: string;
  clientId: string;
  clientSecret: string;
}

/** The registration fields of a test agent; `name` is a prefix made unique per registration. */
export type AgentProfile = { name: string } & Record<string, unknown>;

/** The default agent: a calendar assistant. */
export const CALENDAR_AGENT: AgentProfile = {
  name: 'agent',
  purpose: 'books meetings',
  owner: 'alice@example.com',
  scopes: ['calendar.read', 'calendar.write', 'mail.send'],
  tools: ['google-calendar-api'],
  data_classification: 'internal',
  environment: 'production',
};

/** Registers an agent through the admin API (POST /v1/agents): `profile` with `overrides` on top. */
export async function registerAgent(
  server: TestServer,
  overrides: Record<string, unknown> = {},
  profile: AgentProfile = CALENDAR_AGENT,
): Promise<RegisteredAgent> {
  const { status, body } = await server.api('POST', '/v1/agents', {
    ...profile,
    name: `${profile.name} ${Math.random().toString(36).slice(2, 8)}`,
    ...overrides,
  });
  if (status !== 201) throw new Error(`agent registration failed: ${status} ${JSON.stringify(body)}`);
  return { id: body.agent.id, clientId: body.client_id, clientSecret: body.client_secret };
}

/** Registers a resource server (POST /v1/resource-servers): its audience and feed credentials. */
export async function registerResourceServer(server: TestServer, audience: string, scopes: string[]): Promise<{ clientId: string; clientSecret: string }> {
  const { status, body } = await server.api('POST', '/v1/resource-servers', { name: `api ${Math.random().toString(36).slice(2, 8)}`, audience, scopes });
  if (status !== 201) throw new Error(`resource server registration failed: ${status} ${JSON.stringify(body)}`);
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

const jwksByServer = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Every token a test gets from the token endpoint is cross-verified here with jose against
 * the server's published JWKS (the server signs with node:crypto on its hot path), at the
 * token's own issue time so frozen test clocks do not matter.
 */
export async function crossVerify(server: TestServer, token: string): Promise<void> {
  let jwks = jwksByServer.get(server.url);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    jwksByServer.set(server.url, jwks);
  }
  const { iat } = decodeJwt(token);
  await jwtVerify(token, jwks, { issuer: server.config.issuer, typ: 'at+jwt', currentDate: new Date((iat ?? 0) * 1000) });
}

/** POST a form to an OAuth endpoint. */
export async function postForm(
  server: TestServer,
  path: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (path === '/oauth2/token' && response.status === 200) await crossVerify(server, body.access_token as string);
  return { status: response.status, body, headers: response.headers };
}

export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
