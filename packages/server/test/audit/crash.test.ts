import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/database.js';
import { newStoreLocation, storeKinds, type TestStoreLocation } from '../support/stores.js';

/**
 * Crash safety of "no change without its entry": a real server process registers agents
 * while it is killed with SIGKILL; after a restart on the same data, the chain verifies and
 * the agents and their `agent.registered` entries match one to one.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const mainTs = join(repoRoot, 'packages/server/src/cli/main.ts');

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Child {
  process: ChildProcess;
  url: string;
  exited: Promise<void>;
}

const children: ChildProcess[] = [];

async function startChild(location: TestStoreLocation): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs, '--data-dir', location.dataDir, 'server', '--port', String(port), '--log-level', 'warn'], {
    cwd: repoRoot,
    env: { ...process.env, MANDATE_DATABASE_URL: location.databaseUrl ?? '', MANDATE_MASTER_KEY: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  // Wait for readiness by asking, not by sleeping a fixed time.
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`server exited during start: ${stderr}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (attempt > 600) throw new Error(`server did not become ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { process: child, url, exited };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe.each(storeKinds())('audit survives a crash on %s', (kind) => {
  it('keeps the chain valid and every registered agent matched by its entry after SIGKILL', async () => {
    const location = await newStoreLocation(kind);
    const first = await startChild(location);
    const token = readFileSync(join(location.dataDir, 'admin-token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const acknowledged: string[] = [];
    const secrets: string[] = [];
    let killed = false;
    let next = 0;
    const KILL_AFTER = 60;
    // Eight concurrent writers, so several registrations are in flight when the kill lands.
    const writer = async () => {
      while (!killed) {
        const n = next++;
        try {
          const response = await fetch(`${first.url}/v1/agents`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              name: `crash agent ${n}`,
              purpose: 'crash test',
              owner: 'owner@example.com',
              scopes: ['read:things'],
              tools: ['search'],
              data_classification: 'internal',
              environment: 'test',
            }),
          });
          const body = (await response.json()) as { agent?: { id: string }; client_secret?: string; message?: string };
          if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${body.message}`);
          acknowledged.push(body.agent!.id);
          if (body.client_secret) secrets.push(body.client_secret);
          if (acknowledged.length >= KILL_AFTER && !killed) {
            killed = true;
            first.process.kill('SIGKILL');
          }
        } catch (error) {
          if (!killed) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    await first.exited;
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);

    const second = await startChild(location);
    const verify = (await (await fetch(`${second.url}/v1/audit/verify`, { headers })).json()) as { ok: boolean; count: number; head: { seq: number } };
    expect(verify).toMatchObject({ ok: true });
    expect(verify.count).toBe(verify.head.seq);
    // The restarted server appends where the chain left off.
    const more = await fetch(`${second.url}/v1/agents`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'after restart', purpose: 'crash test', owner: 'owner@example.com', scopes: [], tools: [], data_classification: 'public', environment: 'test' }),
    });
    expect(more.status).toBe(201);
    expect((await (await fetch(`${second.url}/v1/audit/verify`, { headers })).json()) as object).toMatchObject({ ok: true, count: verify.count + 1 });
    second.process.kill('SIGTERM');
    await second.exited;

    const store = await openStore(location);
    try {
      const agents = (await store.db.selectFrom('agents').select('id').execute()).map((r) => r.id).sort();
      const entries = (await store.db.selectFrom('audit_entries').select('subject').where('type', '=', 'agent.registered').execute()).map((r) => r.subject!).sort();
      expect(entries).toEqual(agents);
      // Every registration the client saw succeed survived the crash (the entry with it).
      for (const id of acknowledged) expect(agents).toContain(id);
      const log = (await store.db.selectFrom('audit_entries').select('details').execute()).map((r) => r.details).join('\n');
      for (const secret of secrets) expect(log).not.toContain(secret);
    } finally {
      await store.close();
    }
  }, 180_000);
});
