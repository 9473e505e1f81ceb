import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';
import { serverRoot } from './support/spawn.js';

/**
 * Exit codes come from one place: a verb throws a CliError (after printing what it has) and
 * runCli returns its code, 1 refused, failed or incomplete, 2 bad usage.
 */
describe('exit codes', () => {
  // Nothing listens here: a verb that got as far as sending would exit 1 with "cannot reach".
  const global = ['--url', 'http://127.0.0.1:1', '--token', 'mop_x.y'];

  it('are set by no verb itself: process.exitCode is main.ts’s alone', () => {
    const dir = join(serverRoot, 'src', 'cli');
    const setters = readdirSync(dir).filter((file) => file.endsWith('.ts') && file !== 'main.ts' && /process\.exitCode\s*=/.test(readFileSync(join(dir, file), 'utf8')));
    expect(setters).toEqual([]);
  });

  it.each([
    [['cert', 'issue', '--csr', 'req.pem', '--ttl', '1.5'], "option '--ttl <seconds>' argument '1.5' is invalid. must be a positive integer"],
    [['approvals', 'show', 'apr_x', '--wait', 'soon'], "option '--wait <seconds>' argument 'soon' is invalid. must be a whole number"],
    [['audit', 'query', '--after-seq', '-3'], "option '--after-seq <seq>' argument '-3' is invalid. must be a whole number"],
    [['audit', 'checkpoints', '--limit', '0'], "option '--limit <n>' argument '0' is invalid. must be a positive integer"],
    [['db', 'renew', 'lease_x', '--increment', '0'], '--increment takes a positive whole number of seconds'],
    [['authorize', '--agent-token', 't', '--action', 'read', '--tool', 'x', '--resource-type', 'files', '--resource-id', 'a', '--context', '[1]'], '--context must be a JSON object'],
    [['authorize', '--agent-token', '@/nonexistent/token', '--action', 'read', '--tool', 'x', '--resource-type', 'files', '--resource-id', 'a'], '/nonexistent/token: ENOENT'],
  ])('are 2 for bad arguments, before anything is sent: mandate %j', async (args, message) => {
    const result = await runMandate([...global, ...args]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('cannot reach');
  });
});
