import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { serverRoot } from './support/spawn.js';

describe('mandate --version', () => {
  const { version } = JSON.parse(readFileSync(join(serverRoot, 'package.json'), 'utf8')) as { version: string };

  it.each([['--version'], ['-V']])('%s prints the version of packages/server/package.json and exits 0', async (flag) => {
    expect(await runMandate([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
