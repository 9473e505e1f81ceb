import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/database.js';
import { startServerChild } from '../support/process.js';
import { newStoreLocation, storeKinds, type TestStoreLocation } from '../support/stores.js';

/**
 * Crash safety of "no change without its entry": a real server process registers agents
 * while it is killed with SIGKILL; after a restart on the same data, the chain verifies and
 * the agents and their `agent.registered` entries match one to one.
 */

const children: ChildProcess[] = [];

const startChild = (location: TestStoreLocation) => startServerChild(location, children);

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
            first.child.kill('SIGKILL');
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
    second.child.kill('SIGTERM');
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
