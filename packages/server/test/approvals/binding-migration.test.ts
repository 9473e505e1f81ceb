import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/migrations.js';
import { openStore } from '../../src/storage/database.js';
import { newStoreLocation, storeKinds } from '../support/stores.js';

const row = (id: string, status: string) => ({
  id,
  agent_id: 'agent-1',
  chain: '[{"sub":"agent-1"}]',
  on_behalf_of: null,
  action: 'pay',
  tool: 'bank',
  resource: '{"type":"invoice","id":"7"}',
  reason: 'r',
  origin: 'decision',
  context: null,
  binding_hash: 'old-hash-without-context',
  status,
  required_approvals: 1,
  approvals: '[]',
  requested_by: '{"kind":"agent","id":"agent-1"}',
  created_at: '2026-01-01T09:00:00.000Z',
  expires_at: '2026-01-01T09:15:00.000Z',
  decided_by: null,
  decided_at: null,
  decision_reason: null,
  used_at: null,
  version: 0,
});

/**
 * Issue 10 item 3: approvals made under the first binding (without context and chain) could
 * let a request with any context through. Migration 009 expires those still live.
 */
describe.each(storeKinds())('migration 009 (approvals bound to context and chain) on %s', (kind) => {
  it('expires pending and approved requests made before it, leaves final ones, and defaults request_context to {}', async () => {
    const location = await newStoreLocation(kind);
    const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '009'));
    const old = await openStore({ ...location, migrations: before });
    await old.db.insertInto('approvals').values([row('apr_p', 'pending'), row('apr_a', 'approved'), row('apr_u', 'used'), row('apr_d', 'denied')]).execute();
    await old.close();

    const store = await openStore({ ...location, migrations: MIGRATIONS });
    try {
      const rows = await store.db.selectFrom('approvals').select(['id', 'status', 'created_at', 'expires_at', 'request_context']).orderBy('id').execute();
      const by = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(by.apr_p!.expires_at).toBe(by.apr_p!.created_at);
      expect(by.apr_a!.expires_at).toBe(by.apr_a!.created_at);
      expect(by.apr_u!.expires_at).toBe('2026-01-01T09:15:00.000Z');
      expect(by.apr_d!.expires_at).toBe('2026-01-01T09:15:00.000Z');
      expect(rows.every((r) => r.request_context === '{}')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
