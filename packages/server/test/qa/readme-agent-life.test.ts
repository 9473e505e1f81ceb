import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { runAsReader } from '../support/reader-shell.js';
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

function agentLifeBlock(): string {
  const marker = readme.indexOf('<!-- agent-life:');
  expect(marker).toBeGreaterThan(-1);
  const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  return match![1]!;
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
    const run = await runAsReader(block, dir, server.url);

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
