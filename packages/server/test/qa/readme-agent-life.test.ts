import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { serverRoot } from '../cli/support/spawn.js';

/**
 * Issue 10, item 12: the README's "agent's life" commands must work as written. This takes the
 * shell block under the `agent-life` marker out of README.md and runs it, unchanged, with bash
 * (`set -euo pipefail`) against a real `mandate server`, from a directory holding the server's
 * data directory as `.mandate`, as the README tells the reader to. `npx mandate` runs the CLI
 * from the sources (the workspace bin runs the same code, built); the CLI and curl find the
 * server through MANDATE_HOST/MANDATE_PORT, as the README says.
 */
const readme = readFileSync(join(serverRoot, '..', '..', 'README.md'), 'utf8');
const cliEntry = join(serverRoot, 'src', 'cli', 'main.ts');
/** tsx as a URL: the commands run in a directory outside the repository. */
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function agentLifeBlock(): string {
  const marker = readme.indexOf('<!-- agent-life:');
  expect(marker).toBeGreaterThan(-1);
  const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  return match![1]!;
}

function runBash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe("README: an agent's life in five commands", () => {
  let server: ServerProcess;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mandate-readme-'));
    server = await spawnServer({ MANDATE_DATA_DIR: join(dir, '.mandate') });
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('runs as written against a real server', async () => {
    const block = agentLifeBlock();
    const { port, hostname } = new URL(server.url);
    // Only what a reader's shell would have: no MANDATE_* from the test run, but the address.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MANDATE_'))) as Record<string, string>;
    const prelude = `set -euo pipefail\nnpx() { if [ "$1" = mandate ]; then shift; node --import ${tsx} ${JSON.stringify(cliEntry)} "$@"; else command npx "$@"; fi; }\n`;
    const run = await runBash(prelude + block, dir, { ...env, MANDATE_HOST: hostname, MANDATE_PORT: port });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Step 1 wrote the secret, owner-only, and did not print it.
    const secret = readFileSync(join(dir, 'secret.txt'), 'utf8').trim();
    expect(secret).toMatch(/^mcs_/);
    expect(statSync(join(dir, 'secret.txt')).mode & 0o777).toBe(0o600);
    expect(run.stdout).not.toContain(secret);
    // Step 3 asked, step 4 approved the id step 3 got, and the retry with it was allowed.
    const approvalId = /"approval_id":"(apr_[^"]+)"/.exec(run.stdout)?.[1];
    expect(approvalId).toBeDefined();
    expect(run.stdout).toContain('"decision":"approval_required"');
    expect(run.stdout).toContain(`approval ${approvalId} approved`);
    expect(run.stdout).toMatch(new RegExp(`^\\{"decision":"allow",.*"approval_id":"${approvalId}"\\}$`, 'm'));
    // Step 5: the tail shows the approval used, and the chain verifies.
    expect(run.stdout).toMatch(new RegExp(`approval\\.used .*${approvalId}`));
    expect(run.stdout).toMatch(/^ok: \d+ entries .* verify/m);
  });
});
