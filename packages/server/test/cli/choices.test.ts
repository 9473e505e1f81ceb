import { describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';

/**
 * A value outside a set the CLI knows (cli/names.ts) is bad usage: exit 2, the allowed values
 * listed, nothing sent (the URL points nowhere: a request would end in exit 1).
 */
describe('enum options list their allowed values', () => {
  const global = ['--url', 'http://127.0.0.1:1', '--token', 'mop_x.y'];
  const cases: Array<[string[], string]> = [
    [['operator', 'create', '--email', 'x@example.com', '--role', 'god'], "argument 'god' is invalid. Allowed choices are admin, approver, auditor, owner."],
    [['operator', 'create', '--email', 'x@example.com', '--role', 'admin', 'root'], "argument 'root' is invalid. Allowed choices are admin, approver, auditor, owner."],
    [['agent', 'register', '--name', 'n', '--purpose', 'p', '--owner', 'o@example.com', '--env', 'dev', '--classification', 'secret'], "argument 'secret' is invalid. Allowed choices are public, internal, confidential, restricted."],
    [['agent', 'update', 'a-1', '--classification', 'secret'], "argument 'secret' is invalid. Allowed choices are public, internal, confidential, restricted."],
    [['agent', 'list', '--status', 'active,retired'], 'unknown status retired; allowed: active, suspended, deprecated, decommissioned'],
    [['approvals', 'list', '--status', 'x'], "argument 'x' is invalid. Allowed choices are pending, approved, denied, expired, used, all."],
    [['audit', 'query', '--order', 'up'], "argument 'up' is invalid. Allowed choices are desc, asc."],
  ];

  it.each(cases)('mandate %j', async (args, message) => {
    const result = await runMandate([...global, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/cannot reach/);
  });
});
