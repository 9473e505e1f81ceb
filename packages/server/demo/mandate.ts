/**
 * The demo's Mandate: a real server (the same startServer as `mandate server`) on a free
 * loopback port whose issuer is its own URL, with the embedded SQLite store in a temporary data
 * directory that is removed afterwards. Nothing to install: `npm install` already built it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { startServer, type RunningServer } from '../src/server/start.js';

/**
 * The demo's one departure from the defaults: 20 decisions by one agent within a minute raise an
 * action-velocity alert at once (by default that signal alerts only against a baseline warmed up
 * over 30 minutes of the agent's own traffic), so the burst step needs no long wait.
 */
export const DEMO_BURST_PER_MINUTE = 20;
const DEMO_MONITORING = { signals: { action_velocity: { burstPerMinute: DEMO_BURST_PER_MINUTE } } };

export interface DemoMandate {
  url: string;
  dataDir: string;
  adminToken: string;
  server: RunningServer;
  /** A JSON call to Mandate (admin token unless `token` says otherwise; null: none). */
  api<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T }>;
  /** Whether a route exists for this path (anything but the not-found handler's 404). */
  serves(method: string, path: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** A free loopback port (probed: another process may take it before it is bound). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function bind(dataDir: string): Promise<RunningServer> {
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    const config = loadConfig({ env: {}, flags: { port, host: '127.0.0.1', issuer: `http://127.0.0.1:${port}`, logLevel: 'silent', dataDir, monitoring: DEMO_MONITORING } });
    try {
      return await startServer(config);
    } catch (error) {
      // Another process may take the probed port before the server binds it.
      if (attempt >= 3 || !String((error as Error).message).includes('EADDRINUSE')) throw error;
    }
  }
}

export async function startMandate(): Promise<DemoMandate> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mandate-demo-'));
  const server = await bind(dataDir);
  const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const api: DemoMandate['api'] = async (method, path, body, token) => {
    const bearer = token === undefined ? adminToken : token;
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body: parsed as never };
  };
  return {
    url: server.url,
    dataDir,
    adminToken,
    server,
    api,
    async serves(method, path) {
      const { status, body } = await api(method, path, undefined, null);
      return !(status === 404 && String((body as { message?: unknown } | undefined)?.message ?? '').startsWith('no route'));
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
