import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate, startCliServer } from '../support/cli.js';
import type { TestServer } from '../support/server.js';

/**
 * Issue 10, item 12: `--secret-file FILE` on `agent register` and `agent rotate-secret` writes
 * the client secret owner-only (0600) instead of printing it, refuses an existing FILE before
 * anything is registered (unless --force), and leaves no file behind when the server refuses.
 */
describe('mandate agent register|rotate-secret --secret-file', () => {
  let server: TestServer;
  let global: string[];
  let dir: string;
  const register = (id: string, ...extra: string[]) =>
    runMandate([
      ...global,
      'agent',
      'register',
      '--id',
      id,
      '--name',
      id,
      '--purpose',
      'tests secret files',
      '--owner',
      'alice@example.com',
      '--classification',
      'internal',
      '--env',
      'test',
      '--scope',
      'calendar.read',
      ...extra,
    ]);
  const authenticates = async (id: string, secret: string) => (await server.runtime.registry.authenticateClientSecret(id, secret))?.id === id;

  beforeAll(async () => {
    ({ server, global } = await startCliServer());
    dir = mkdtempSync(join(tmpdir(), 'mandate-secret-file-'));
  });
  afterAll(async () => server?.stop());

  it('writes the secret to a new file, mode 0600, and does not print it', async () => {
    const file = join(dir, 'one.txt');
    const run = await register('agent-sf-one', '--secret-file', file);
    expect(run.code, run.stderr).toBe(0);
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret).toMatch(/^mcs_/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.stdout).not.toContain(secret);
    expect(run.stdout).toContain(`Client secret written to ${file} (mode 0600`);
    expect(await authenticates('agent-sf-one', secret)).toBe(true);
  });

  it('refuses an existing file before registering anything', async () => {
    const file = join(dir, 'taken.txt');
    writeFileSync(file, 'keep me\n');
    const run = await register('agent-sf-taken', '--secret-file', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file} exists; refusing to overwrite it (pass --force to replace it)`);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    const shown = await runMandate([...global, 'agent', 'show', 'agent-sf-taken']);
    expect(shown.code).toBe(1); // 404: nothing was registered
  });

  it('with --force replaces the file whole, mode 0600, leaving no temporary file', async () => {
    const file = join(dir, 'forced.txt');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o644);
    const run = await register('agent-sf-forced', '--secret-file', file, '--force');
    expect(run.code, run.stderr).toBe(0);
    const secret = readFileSync(file, 'utf8').trim();
    expect(await authenticates('agent-sf-forced', secret)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.includes('forced'))).toEqual(['forced.txt']);
  });

  it('leaves no file behind when the server refuses', async () => {
    const file = join(dir, 'refused.txt');
    const run = await register('agent-sf-one', '--secret-file', file); // the id is taken: 409
    expect(run.code).toBe(1);
    expect(existsSync(file)).toBe(false);
    const forced = join(dir, 'refused-forced.txt');
    writeFileSync(forced, 'old\n');
    const again = await register('agent-sf-one', '--secret-file', forced, '--force');
    expect(again.code).toBe(1);
    expect(readFileSync(forced, 'utf8')).toBe('old\n');
    expect(readdirSync(dir).filter((f) => f.includes('refused'))).toEqual(['refused-forced.txt']);
  });

  it('--json names the file instead of carrying the secret', async () => {
    const file = join(dir, 'json.txt');
    const run = await register('agent-sf-json', '--secret-file', file, '--json');
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(body.client_secret).toBeUndefined();
    expect(body.client_secret_file).toBe(file);
    expect(run.stdout).not.toContain(readFileSync(file, 'utf8').trim());
  });

  it('rotate-secret writes the new secret the same way', async () => {
    const file = join(dir, 'rotated.txt');
    const run = await runMandate([...global, 'agent', 'rotate-secret', 'agent-sf-one', '--secret-file', file]);
    expect(run.code, run.stderr).toBe(0);
    const secret = readFileSync(file, 'utf8').trim();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.stdout).not.toContain(secret);
    expect(await authenticates('agent-sf-one', secret)).toBe(true);
    const taken = await runMandate([...global, 'agent', 'rotate-secret', 'agent-sf-one', '--secret-file', file]);
    expect(taken.code).toBe(1);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
  });
});
