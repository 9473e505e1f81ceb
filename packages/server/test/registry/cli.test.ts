import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMandate, startCliServer } from '../support/cli.js';
import type { TestServer } from '../support/server.js';

describe('mandate agent', () => {
  let server: TestServer;
  let global: string[];
  const register = (...extra: string[]) =>
    runMandate([
      ...global,
      'agent',
      'register',
      '--name',
      'Calendar',
      '--purpose',
      'books meetings',
      '--owner',
      'alice@example.com',
      '--classification',
      'internal',
      '--env',
      'production',
      '--scope',
      'calendar.read',
      'calendar.write',
      '--tool',
      'google-calendar-api:events.insert',
      ...extra,
    ]);

  beforeAll(async () => ({ server, global } = await startCliServer()));
  afterAll(async () => server?.stop());

  it('registers an agent and prints the client secret once with a warning', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const file = join(mkdtempSync(join(tmpdir(), 'mandate-jwks-')), 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [{ ...(publicKey.export({ format: 'jwk' }) as object), kid: 'k1' }] }));
    const created = await register('--token-ttl', '600', '--label', 'team=sales', '--label', 'tier=gold', '--jwks', file);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^id\s+agent-calendar-prod-001$/m);
    expect(created.stdout).toMatch(/shown once; store it now/);
    const secret = /\n {2}(mcs_\S+)\n/.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();
    expect((await server.runtime.registry.authenticateClientSecret('agent-calendar-prod-001', secret!))?.id).toBe('agent-calendar-prod-001');

    const shown = await runMandate([...global, '--json', 'agent', 'show', 'agent-calendar-prod-001']);
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout) as Record<string, unknown>;
    expect(view).toMatchObject({
      scopes: ['calendar.read', 'calendar.write'],
      tools: ['google-calendar-api:events.insert'],
      token_ttl_seconds: 600,
      metadata: { team: 'sales', tier: 'gold' },
      jwks: { keys: [expect.objectContaining({ kid: 'k1', kty: 'OKP' })] },
    });
    expect(shown.stdout).not.toContain(secret!);
    const human = await runMandate([...global, 'agent', 'show', 'agent-calendar-prod-001']);
    expect(human.stdout).toMatch(/^owner\s+alice@example.com$/m);
  });

  it('lists agents as a table or JSON, with filters and paging', async () => {
    await register('--env', 'staging');
    const table = await runMandate([...global, 'agent', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+OWNER\s+STATUS\s+ENVIRONMENT\s+DATA_CLASSIFICATION\s+REVIEW_OVERDUE$/m);
    expect(table.stdout).toMatch(/^agent-calendar-stg-001\s+Calendar\s+alice@example.com\s+active\s+staging\s+internal\s+false$/m);
    const json = await runMandate([...global, '--json', 'agent', 'list', '--env', 'staging']);
    expect((JSON.parse(json.stdout) as { items: Array<{ id: string }> }).items.map((a) => a.id)).toEqual(['agent-calendar-stg-001']);
    const paged = await runMandate([...global, 'agent', 'list', '--limit', '1']);
    expect(paged.stdout).toMatch(/more: --cursor \S+/);
    const all = await runMandate([...global, '--json', 'agent', 'list', '--limit', '1', '--all']);
    expect((JSON.parse(all.stdout) as { items: unknown[]; next_cursor: null }).items.length).toBe(2);
  });

  it('updates, walks the lifecycle, reviews and rotates the secret', async () => {
    const id = 'agent-calendar-prod-001';
    const updated = await runMandate([...global, '--json', 'agent', 'update', id, '--purpose', 'books rooms', '--no-token-ttl', '--clear-labels']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ purpose: 'books rooms', token_ttl_seconds: null, metadata: {} });
    expect((await runMandate([...global, 'agent', 'suspend', id, '--reason', 'incident 42'])).stdout).toBe(`agent ${id} is now suspended\n`);
    expect((await runMandate([...global, 'agent', 'resume', id])).stdout).toBe(`agent ${id} is now active\n`);
    const reviewed = await runMandate([...global, 'agent', 'review', id, '--notes', 'fine']);
    expect(reviewed.stdout).toMatch(new RegExp(`agent ${id} reviewed; next review due \\d{4}-`));
    const rotated = await runMandate([...global, 'agent', 'rotate-secret', id]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/previous_secret_valid_until\s+\d{4}-/);
    expect(rotated.stdout).toMatch(/shown once[^\n]*\n {2}mcs_\S+\n/);
    expect((await runMandate([...global, 'agent', 'deprecate', id])).code).toBe(0);
    expect((await runMandate([...global, 'agent', 'decommission', id, '--reason', 'replaced'])).stdout).toBe(`agent ${id} is now decommissioned\n`);
  });

  it('exits 1 on refused operations and 2 on bad usage', async () => {
    const illegal = await runMandate([...global, 'agent', 'resume', 'agent-calendar-prod-001']);
    expect(illegal.code).toBe(1);
    expect(illegal.stderr).toMatch(/409 illegal_transition: .*none \(terminal state\)/);
    const missing = await runMandate([...global, 'agent', 'show', 'agent-nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404 not_found: agent 'agent-nobody' not found/);
    const badTtl = await register('--token-ttl', '5');
    expect(badTtl.code).toBe(1);
    expect(badTtl.stderr).toMatch(/token_ttl_seconds must lie between 300 and 900/);
    const badJwks = await register('--jwks', '/nonexistent/jwks.json');
    expect(badJwks.code).toBe(1);

    expect((await runMandate([...global, 'agent', 'register', '--name', 'x'])).code).toBe(2);
    expect((await register('--classification', 'top-secret')).code).toBe(2);
    expect((await register('--token-ttl', 'ten')).code).toBe(2);
    expect((await runMandate([...global, 'agent', 'update', 'agent-calendar-stg-001'])).code).toBe(2);
    expect((await runMandate([...global, 'agent', 'suspend'])).code).toBe(2);
    expect((await runMandate([...global, 'agent', 'teleport', 'x'])).code).toBe(2);
  });
});
