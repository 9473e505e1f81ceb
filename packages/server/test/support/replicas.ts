import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './pg.js';
import { startServerChild, type ServerChild } from './process.js';

/**
 * Several real `mandate server` processes (built dist/, as users run them) on loopback ports
 * and one PostgreSQL database, as a load balancer would front them: one issuer URL and one
 * master key for all, a data directory each (docs/replicas.md "Running replicas").
 */
export interface ReplicaSet {
  databaseUrl: string;
  replicas: ServerChild[];
  adminToken: string;
  /** JSON call to one replica with the admin token (or `token`). */
  call<T = any>(url: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  /** Form post to one replica's OAuth endpoint. */
  form<T = any>(url: string, path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** Which replicas report that they lead (/readyz). */
  leaders(): Promise<boolean[]>;
}

/** The issuer every replica shares (the address clients would use; nothing listens there). */
export const REPLICA_ISSUER = 'http://mandate.replicas.test';

/**
 * Starts `count` replicas: the first alone (it migrates and bootstraps the database and
 * writes the admin token), the others together once it is ready. `config` goes into a config
 * file every replica reads (MANDATE_CONFIG).
 */
export async function startReplicaSet(count: number, children: ChildProcess[], config: Record<string, unknown> = {}): Promise<ReplicaSet> {
  const databaseUrl = await createTestDatabase();
  const root = mkdtempSync(join(tmpdir(), 'mandate-replicas-'));
  const configFile = join(root, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const env = { MANDATE_MASTER_KEY: randomBytes(32).toString('hex'), MANDATE_ISSUER: REPLICA_ISSUER, MANDATE_CONFIG: configFile };
  const start = (index: number) => startServerChild({ dataDir: join(root, `replica-${index}`), databaseUrl }, children, { built: true, env, readyTimeoutMs: 180_000 });
  const first = await start(0);
  const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)));
  const adminToken = readFileSync(join(root, 'replica-0', 'admin-token'), 'utf8').trim();
  const call: ReplicaSet['call'] = async (url, method, path, body, token = adminToken) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as never };
  };
  const form: ReplicaSet['form'] = async (url, path, fields, headers = {}) => {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as never };
  };
  const replicas = [first, ...rest];
  const leaders = async () =>
    Promise.all(
      replicas.map(async (replica) => {
        if (replica.child.exitCode !== null || replica.child.signalCode !== null) return false;
        try {
          return ((await (await fetch(`${replica.url}/readyz`)).json()) as { leader?: boolean }).leader === true;
        } catch {
          return false;
        }
      }),
    );
  return { databaseUrl, replicas, adminToken, call, form, leaders };
}

/** Polls `check` every `everyMs` until it holds; returns the ms it took, or throws after `timeoutMs`. */
export async function within(timeoutMs: number, check: () => Promise<boolean>, everyMs = 20): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
