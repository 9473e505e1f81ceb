import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { runMandate, startCliServer } from '../support/cli.js';

describe('mandate operator', () => {
  let server: TestServer;
  let global: string[];
  beforeAll(async () => ({ server, global } = await startCliServer()));
  afterAll(async () => server?.stop());

  it('creates an operator, printing the token once, and lists it as a table or JSON', async () => {
    const created = await runMandate([...global, 'operator', 'create', '--email', 'carol@example.com', '--role', 'approver', 'auditor']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Token \(shown once/);
    expect(created.stdout).toMatch(/mop_\S+\.\S+/);
    const table = await runMandate([...global, 'operator', 'list']);
    expect(table.stdout).toMatch(/^ID\s+EMAIL\s+ROLES/m);
    expect(table.stdout).toMatch(/op-carol\s+carol@example.com\s+approver,auditor/);
    const json = await runMandate([...global, '--json', 'operator', 'list']);
    const items = JSON.parse(json.stdout) as Array<{ id: string }>;
    expect(items.map((o) => o.id)).toContain('op-carol');
  });

  it('exits 1 on a refused operation and 2 on bad usage', async () => {
    const refused = await runMandate([...global, 'operator', 'show', 'nobody']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/404 not_found: operator 'nobody' not found/);
    const badRole = await runMandate([...global, 'operator', 'create', '--email', 'x@example.com', '--role', 'god']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/Allowed choices are admin, approver, auditor, owner/);
    const usage = await runMandate([...global, 'operator', 'create']);
    expect(usage.code).toBe(2);
    const unknown = await runMandate([...global, 'frobnicate']);
    expect(unknown.code).toBe(2);
    const unauth = await runMandate(['--url', server.url, '--token', 'mop_x.y', 'operator', 'list']);
    expect(unauth.code).toBe(1);
    expect(unauth.stderr).toMatch(/401/);
  });

  it('refuses a ceiling without --max-classification, or --clear with other flags, as bad usage (exit 2) before sending anything', async () => {
    const missing = await runMandate([...global, 'operator', 'ceiling', 'admin', '--scope', 'a']);
    expect(missing).toMatchObject({ code: 2, stderr: 'error: --max-classification is required (or --clear): public, internal, confidential, restricted\n' });
    const mixed = await runMandate([...global, 'operator', 'ceiling', 'admin', '--clear', '--tool', 'x']);
    expect(mixed).toMatchObject({ code: 2, stderr: 'error: --clear takes no --scope, --tool or --max-classification\n' });
    expect(JSON.parse((await runMandate([...global, '--json', 'operator', 'show', 'admin'])).stdout).grant_ceiling).toBeNull();
  });

  it('disables an operator and its token stops working', async () => {
    const created = await runMandate([...global, '--json', 'operator', 'create', '--email', 'dave@example.com', '--role', 'auditor']);
    const { token, operator } = JSON.parse(created.stdout) as { token: string; operator: { id: string } };
    expect((await runMandate(['--url', server.url, '--token', token, 'operator', 'list'])).code).toBe(0);
    expect((await runMandate([...global, 'operator', 'disable', operator.id])).code).toBe(0);
    expect((await runMandate(['--url', server.url, '--token', token, 'operator', 'list'])).code).toBe(1);
  });
});
