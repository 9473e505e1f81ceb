import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnMandate, spawnServer } from '../support/process.js';
import { newStoreLocation, storeKinds } from '../support/stores.js';

/**
 * QA: `mandate server` refusing to start. Each case must end the process with exit code 1
 * and one clear line on stderr (no stack trace for an expected condition), and must not hang
 * on whatever it had opened so far (the test's own timeout catches a hang).
 */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'mandate-qa-start-'));

describe('mandate server refusing to start', () => {
  it('names the database it cannot reach, without its password, and exits 1', async () => {
    const proc = spawnMandate(['server', '--port', '0'], {
      MANDATE_DATA_DIR: tempDir(),
      MANDATE_DATABASE_URL: 'postgres://mandate:hunter2-secret@127.0.0.1:1/x',
    });
    expect(await proc.exited).toBe(1);
    expectOneLineError(proc.stderr(), /cannot connect to the database at postgres:\/\/mandate:\*+@127\.0\.0\.1:1\/x/);
    expect(proc.stderr() + proc.stdout()).not.toContain('hunter2-secret');
  });

  it('names a data directory it cannot create (a path under a regular file)', async () => {
    const file = join(tempDir(), 'plain-file');
    writeFileSync(file, 'not a directory');
    const dataDir = join(file, 'x');
    const proc = spawnMandate(['server', '--port', '0'], { MANDATE_DATA_DIR: dataDir });
    expect(await proc.exited).toBe(1);
    expectOneLineError(proc.stderr(), new RegExp(`data directory '${dataDir}' cannot be used: ENOTDIR`));
  });

  it('refuses a --config file that does not exist', async () => {
    const missing = join(tempDir(), 'nope.json');
    const proc = spawnMandate(['server', '--port', '0', '--config', missing], { MANDATE_DATA_DIR: tempDir() });
    expect(await proc.exited).toBe(1);
    expectOneLineError(proc.stderr(), new RegExp(`config file '${missing}' cannot be read: ENOENT`));
  });

  it('refuses a --config file that is not JSON', async () => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, '{"port": 8800,');
    const proc = spawnMandate(['server', '--port', '0', '--config', file], { MANDATE_DATA_DIR: tempDir() });
    expect(await proc.exited).toBe(1);
    expectOneLineError(proc.stderr(), new RegExp(`config file '${file}' is not valid JSON`));
  });
});

describe.each(storeKinds())('a start that fails after the %s store opened', (kind) => {
  it('exits 1 without hanging, and does not lose the bootstrap admin token', async () => {
    const location = await newStoreLocation(kind);
    const env: Record<string, string> = { MANDATE_DATA_DIR: location.dataDir };
    if (location.databaseUrl) env.MANDATE_DATABASE_URL = location.databaseUrl;
    // The admin-token path is taken by a directory: writing the token fails after the store
    // opened, migrations ran and the services started.
    const tokenPath = join(location.dataDir, 'admin-token');
    mkdirSync(tokenPath);
    const failed = spawnMandate(['server', '--port', '0'], env);
    expect(await failed.exited).toBe(1);
    expectOneLineError(failed.stderr(), /admin-token/);

    // Once the path is free, the next start still bootstraps: the admin was not created
    // without a token anyone can read.
    rmdirSync(tokenPath);
    const server = await spawnServer(env);
    try {
      const token = readFileSync(tokenPath, 'utf8').trim();
      const me = await fetch(`${server.url}/v1/operators/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
