import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/** `mandate server rekey`: the new key only from a 0600 file, never echoed; exit codes 0/1/2. */
describe.each(storeKinds())('mandate server rekey (%s)', (kind) => {
  const running: TestServer[] = [];
  afterAll(async () => {
    for (const server of running) await server.stop();
  });

  it('refuses a key file others can read, rotates from a 0600 one, and the server starts with the new key', async () => {
    const first = await startTestServer({ kind });
    running.push(first);
    expect((await first.api('PUT', '/v1/secrets/cli/x', { data: { v: 'kept' } })).status).toBe(200);
    await first.stop();
    const { dataDir, databaseUrl } = first.location;
    const args = ['--data-dir', dataDir, 'server', 'rekey', ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
    const newKey = randomBytes(32).toString('base64');
    const newKeyFile = join(dataDir, 'new-key');

    writeFileSync(newKeyFile, `${newKey}\n`, { mode: 0o644 });
    const open = await runMandate([...args, '--new-key-file', newKeyFile]);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('readable by others');

    writeFileSync(join(dataDir, 'bad-key'), 'short\n', { mode: 0o600 });
    const bad = await runMandate([...args, '--new-key-file', join(dataDir, 'bad-key')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('does not hold a valid key');

    chmodSync(newKeyFile, 0o600);
    const done = await runMandate([...args, '--new-key-file', newKeyFile]);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('master key rotated');
    expect(done.stdout).toContain(join(dataDir, 'master-key'));
    expect(done.stdout + done.stderr).not.toContain(newKey);
    expect(Buffer.from(readFileSync(join(dataDir, 'master-key'), 'utf8').trim(), 'base64url').equals(Buffer.from(newKey, 'base64'))).toBe(true);

    // Running it again with the same file: the current key is already that one (exit 1, a clear reason).
    const again = await runMandate([...args, '--new-key-file', newKeyFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('the new master key is the current one');

    const second = await startTestServer({ location: first.location });
    running.push(second);
    expect((await second.api('GET', '/v1/secrets/cli/x')).body.data).toEqual({ v: 'kept' });
  }, 120_000);

  it('with the key from MANDATE_MASTER_KEY_FILE (a mounted secret), rotates and says to replace the secret, which it never writes', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const first = await startTestServer({ kind, masterKey: oldKey });
    running.push(first);
    expect((await first.api('PUT', '/v1/secrets/cli/y', { data: { v: 'kept' } })).status).toBe(200);
    await first.stop();
    const { dataDir, databaseUrl } = first.location;
    const secretFile = join(dataDir, 'mounted-master-key');
    writeFileSync(secretFile, `${oldKey}\n`, { mode: 0o600 });
    const newKey = randomBytes(32).toString('base64');
    const newKeyFile = join(dataDir, 'new-key');
    writeFileSync(newKeyFile, `${newKey}\n`, { mode: 0o600 });
    const saved = process.env.MANDATE_MASTER_KEY_FILE;
    process.env.MANDATE_MASTER_KEY_FILE = secretFile;
    let done;
    try {
      done = await runMandate(['--data-dir', dataDir, 'server', 'rekey', ...(databaseUrl ? ['--database-url', databaseUrl] : []), '--new-key-file', newKeyFile]);
    } finally {
      if (saved === undefined) delete process.env.MANDATE_MASTER_KEY_FILE;
      else process.env.MANDATE_MASTER_KEY_FILE = saved;
    }
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`replace the secret mounted at ${secretFile} (MANDATE_MASTER_KEY_FILE)`);
    expect(readFileSync(secretFile, 'utf8').trim()).toBe(oldKey);

    const second = await startTestServer({ location: first.location, masterKey: newKey });
    running.push(second);
    expect((await second.api('GET', '/v1/secrets/cli/y')).body.data).toEqual({ v: 'kept' });
    const rotated = await second.api('GET', '/v1/audit?type=master_key.rotated');
    expect(JSON.stringify(rotated.body)).toContain('MANDATE_MASTER_KEY_FILE');
  }, 120_000);
});

