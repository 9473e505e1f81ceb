import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';

/** A port nothing listens on: one the system handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a server that is down', () => {
  let url: string;
  beforeAll(async () => {
    url = `http://127.0.0.1:${await closedPort()}`;
  });

  const expected = (base: string) => `error: cannot reach the Mandate server at ${base}: ECONNREFUSED (is it running? set --url or MANDATE_URL)\n`;

  it('gets the same message and exit 1 from admin-API verbs, OAuth verbs and streamed exports', async () => {
    const verbs = [
      ['agent', 'list'],
      ['operator', 'show', 'op-x'],
      ['token', 'introspect', 'some-token'],
      ['audit', 'export'],
    ];
    for (const verb of verbs) {
      const result = await runMandate(['--url', url, '--token', 'mop_x.y', ...verb]);
      expect({ verb, code: result.code, stderr: result.stderr }).toEqual({ verb, code: 1, stderr: expected(url) });
    }
  });
});
