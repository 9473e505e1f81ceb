import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Dialect } from '../../src/storage/database.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import type { Clock } from '../../src/shared/clock.js';
import { newStoreLocation, type TestStoreLocation } from './stores.js';

export interface TestServer extends RunningServer {
  adminToken: string;
  location: TestStoreLocation;
  config: Config;
  /** JSON call with the admin token unless `token` says otherwise (null: no Authorization header). */
  api<T = any>(method: string, path: string, body?: unknown, options?: { token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Headers }>;
}

export interface TestServerOptions {
  kind?: Dialect;
  clock?: Clock;
  /** Config overrides (deep-merged over defaults); port 0 and a silent logger unless given. */
  config?: Record<string, unknown>;
  /** Reuse an existing store location (restart tests). */
  location?: TestStoreLocation;
  masterKey?: string;
}

/** Starts a real Mandate server on a random loopback port with a fresh store. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const location = options.location ?? (await newStoreLocation(options.kind ?? 'sqlite'));
  const config = loadConfig({
    env: {},
    flags: {
      port: 0,
      logLevel: 'silent',
      dataDir: location.dataDir,
      databaseUrl: location.databaseUrl,
      masterKey: options.masterKey,
      ...(options.config ?? {}),
    },
  });
  const server = await startServer(config, options.clock ? { clock: options.clock } : {});
  // The issuer must match the address actually bound (port 0 picks one at random).
  const { readFileSync } = await import('node:fs');
  const adminToken = readFileSync(`${location.dataDir}/admin-token`, 'utf8').trim();
  const api: TestServer['api'] = async (method, path, body, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const token = init.token === undefined ? adminToken : init.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body: parsed as never, headers: response.headers };
  };
  return { ...server, adminToken, location, config, api };
}
