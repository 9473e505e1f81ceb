import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { serverCodeAmong } from './support/server-code.js';
import { runCliProcess, spawnCli } from './support/spawn.js';

/**
 * The CLI's client verbs talk to a server over HTTP and load none of its code (Fastify, the
 * database drivers, the Rego engine, the contexts): each run is a real `mandate` process whose
 * every loaded module is recorded. The last two tests show that the same check does find server
 * code where it is loaded: in `mandate policy eval` (the engine) and `mandate server`.
 */
describe('mandate client verbs load no server code', () => {
  let server: TestServer;
  let global: string[];

  beforeAll(async () => {
    ({ server, global } = await startCliServer());
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    [['--help']],
    [['--version']],
    [['server', '--help']],
    [['policy', 'eval', '--help']],
  ])('mandate %j', async (args) => {
    const run = await runCliProcess(args, { recordModules: true });
    expect(run.code, run.stderr).toBe(0);
    expect(run.modules.some((url) => url.includes('/src/cli/program.ts')), 'the recorder saw the CLI load').toBe(true);
    expect(serverCodeAmong(run.modules)).toEqual([]);
  });

  it.each([
    [['agent', 'list']],
    [['audit', 'tail']],
    [['approvals', 'list']],
    [['policy', 'list']],
    [['policy', 'eval', 'data.mandate.authz']],
    [['data', 'get', 'data.mandate']],
  ])('mandate %j against a server', async (args) => {
    const run = await runCliProcess([...global, ...args], { recordModules: true });
    expect(run.code, run.stderr).toBe(0);
    expect(serverCodeAmong(run.modules)).toEqual([]);
  });

  it('finds the Rego engine in `mandate policy eval`, which runs it in process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-light-'));
    writeFileSync(join(dir, 'x.rego'), 'package x\n\nimport rego.v1\n\nanswer := 42\n');
    const run = await runCliProcess(['policy', 'eval', '-d', join(dir, 'x.rego'), 'data.x.answer'], { recordModules: true });
    expect(run.code, run.stderr).toBe(0);
    const found = serverCodeAmong(run.modules);
    expect(found.some((url) => url.includes('/cli/policy-offline.'))).toBe(true);
    expect(found.some((url) => /\/(policy\/rego|packages\/rego)\//.test(url)), found.join('\n')).toBe(true);
  });

  it('finds Fastify, Kysely, the SQLite driver and the runtime in `mandate server`', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mandate-light-server-'));
    const running = spawnCli(['--data-dir', dataDir, 'server', '--port', '0', '--log-level', 'info'], { recordModules: true, env: { MANDATE_DATABASE_URL: '' } });
    await expect.poll(running.stdout, { timeout: 30_000 }).toContain('mandate listening');
    running.child.kill('SIGTERM');
    const found = serverCodeAmong((await running.exited).modules);
    for (const expected of ['/node_modules/fastify/', '/node_modules/kysely/', '/node_modules/better-sqlite3/', '/src/runtime.ts', '/src/registry/', '/src/http/']) {
      expect(found.some((url) => url.includes(expected)), expected).toBe(true);
    }
  });
});
