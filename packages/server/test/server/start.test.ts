import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnMandate, spawnServer } from '../support/process.js';

/** The real `mandate server` process: first start, graceful stop, and refusals at start. */
describe('mandate server process', () => {
  it('bootstraps once, serves, and stops gracefully on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mandate-proc-'));
    const server = await spawnServer({ MANDATE_DATA_DIR: dataDir });
    const tokenFile = join(dataDir, 'admin-token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'master-key')).mode & 0o777).toBe(0o600);
    expect(server.stderr()).toContain(token);
    expect(server.stdout()).toMatch(/generated a master key/);
    expect(server.stdout()).not.toContain(token);

    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const me = await fetch(`${server.url}/v1/operators/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toMatch(/shutting down/);

    // A second start reuses the store and does not print a new token.
    const again = await spawnServer({ MANDATE_DATA_DIR: dataDir });
    expect(again.stderr()).not.toMatch(/Bootstrap admin token/);
    const still = await fetch(`${again.url}/v1/operators/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(still.status).toBe(200);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('refuses to start with the wrong master key and changes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mandate-proc-'));
    const key = randomBytes(32).toString('hex');
    const first = await spawnServer({ MANDATE_DATA_DIR: dataDir, MANDATE_MASTER_KEY: key });
    first.child.kill('SIGTERM');
    await first.exited;
    const before = readFileSync(join(dataDir, 'mandate.db'));
    const wrong = spawnMandate(['server', '--port', '0'], { MANDATE_DATA_DIR: dataDir, MANDATE_MASTER_KEY: randomBytes(32).toString('hex') });
    expect(await wrong.exited).toBe(1);
    expect(wrong.stderr()).toMatch(/master key does not match/);
    expect(readFileSync(join(dataDir, 'mandate.db')).equals(before)).toBe(true);
  });

  it('stops on a bad setting with a message naming the key', async () => {
    const bad = spawnMandate(['server'], { MANDATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'mandate-proc-')), MANDATE_PORT: 'eighty' });
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toMatch(/MANDATE_PORT \(port\) must be an integer/);
    const badFlag = spawnMandate(['server', '--port', '99999'], {});
    expect(await badFlag.exited).toBe(2);
  });
});
