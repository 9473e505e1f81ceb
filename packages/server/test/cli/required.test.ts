import { describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';

/** Required options: marked in `--help`, and every missing one named in one error (exit 2), before anything is sent. */
describe('required options', () => {
  const global = ['--url', 'http://127.0.0.1:1', '--token', 'mop_x.y'];

  it('are marked (required) in --help, and only they', async () => {
    const help = await runMandate(['agent', 'register', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--name', '--purpose', '--owner', '--env', '--classification']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${flag} <[^>]+>\\s+[^\\n]*(\\n {20,}[^\\n]*)*\\(required\\)`, 'm'));
    }
    expect(help.stdout).not.toMatch(/--scope[^\n]*\(required\)/);
    const operator = await runMandate(['operator', 'create', '--help']);
    expect(operator.stdout).toMatch(/--email <email>\s+the operator's email \(required\)/);
  });

  it('missing several, are reported together in one error with exit 2', async () => {
    const result = await runMandate([...global, 'agent', 'register', '--name', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: required options '--purpose <text>', '--owner <email>', '--env <environment>', '--classification <level>' not specified");
    expect(result.stderr).not.toMatch(/cannot reach/);
  });

  it('missing one, is named alone', async () => {
    const result = await runMandate([...global, 'operator', 'create', '--role', 'admin']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: required option '--email <email>' not specified");
  });
});
