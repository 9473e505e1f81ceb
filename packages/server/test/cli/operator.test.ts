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

  it('whoami shows the operator the token belongs to: its roles and grant ceiling', async () => {
    const admin = await runMandate([...global, 'operator', 'whoami']);
    expect(admin.code, admin.stderr).toBe(0);
    expect(admin.stdout).toMatch(/^id\s+admin$/m);
    expect(admin.stdout).toMatch(/^roles\s+admin$/m);
    expect(admin.stdout).toMatch(/^grant_ceiling\s+none \(as an owner it may grant its agents nothing\)$/m);
    const created = await runMandate([...global, '--json', 'operator', 'create', '--email', 'olga@example.com', '--role', 'owner', 'auditor']);
    const { token, operator } = JSON.parse(created.stdout) as { token: string; operator: { id: string } };
    const ceiling = await runMandate([...global, 'operator', 'ceiling', operator.id, '--scope', 'calendar:read', '--max-classification', 'internal']);
    expect(ceiling.code, ceiling.stderr).toBe(0);
    const owner = await runMandate(['--url', server.url, '--token', token, 'operator', 'whoami']);
    expect(owner.stdout).toMatch(/^roles\s+owner, auditor$/m);
    expect(owner.stdout).toMatch(/^grant_ceiling\s+scopes calendar:read; tools \(none\); data up to internal$/m);
    const json = await runMandate(['--url', server.url, '--token', token, '--json', 'operator', 'whoami']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: operator.id, roles: ['owner', 'auditor'], grant_ceiling: { scopes: ['calendar:read'], tools: [], max_classification: 'internal' } });
    expect((await runMandate(['--url', server.url, '--token', 'mop_x.y', 'operator', 'whoami'])).code).toBe(1);
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
