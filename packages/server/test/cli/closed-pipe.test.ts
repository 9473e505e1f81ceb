import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { spawnCli, type RunningCli } from './support/spawn.js';

/** Like `head -1`: reads up to the first line of the command's output, then closes the pipe. */
function closeAfterFirstLine(running: RunningCli): Promise<string> {
  return new Promise((resolve) => {
    const stdout = running.child.stdout!;
    stdout.on('data', () => {
      const text = running.stdout();
      const end = text.indexOf('\n');
      if (end >= 0 && !stdout.destroyed) {
        stdout.destroy();
        resolve(text.slice(0, end));
      }
    });
  });
}

const agentBody = (i: number) => ({
  name: `pipe agent ${i}`,
  // Long purposes make the JSON listing far larger than a pipe's buffer (64 KiB): the command is
  // still writing when the reader goes.
  purpose: `closed pipe test ${i} `.padEnd(2000, 'x'),
  owner: 'pipes@example.com',
  scopes: ['api.read'],
  tools: [],
  data_classification: 'internal',
  environment: 'test',
});

/**
 * `mandate … | head -1`: once the reader has closed the pipe, the command's next write fails with
 * EPIPE; it must end with 0 and print nothing to stderr (no stack trace).
 */
describe('mandate output piped into a reader that stops early', () => {
  let server: TestServer;
  let global: string[];

  beforeAll(async () => {
    ({ server, global } = await startCliServer());
    for (let i = 0; i < 100; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => server.api('POST', '/v1/agents', agentBody(i + j)).then((r) => expect(r.status).toBe(201))));
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('`mandate --json agent list --all | head -1` ends quietly with 0', async () => {
    const running = spawnCli([...global, '--json', 'agent', 'list', '--all']);
    expect(await closeAfterFirstLine(running)).toBe('{');
    const run = await running.exited;
    expect(run).toMatchObject({ code: 0, stderr: '' });
  });

  it('`mandate audit tail -f | head -1` ends quietly with 0 at its next line', async () => {
    const running = spawnCli([...global, 'audit', 'tail', '-f', '--interval', '1']);
    await closeAfterFirstLine(running);
    // A new audit entry makes the follower write again, into the closed pipe.
    expect((await server.api('POST', '/v1/agents', agentBody(1000))).status).toBe(201);
    const run = await running.exited;
    expect(run).toMatchObject({ code: 0, stderr: '' });
  });
});
