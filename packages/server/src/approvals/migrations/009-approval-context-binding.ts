import type { DialectMigration } from '../../storage/index.js';

/**
 * Approvals bind the caller's context and the delegation chain (binding.ts, version 2).
 *
 * Adds `request_context` (the caller's context an approval is bound to). Requests made before
 * were bound without context or chain: they could let a request with any context through, and
 * their hashes can no longer match. Those still live (pending or approved) are expired safely —
 * their expiry is set to their creation time, so they read `expired` at once and the periodic
 * sweep records `approval.expired` for each; the agent asks again and the new request is
 * bound to everything.
 */
export const m009ApprovalContextBinding: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('approvals').addColumn('request_context', 'text', (c) => c.notNull().defaultTo('{}')).execute();
    await db
      .updateTable('approvals')
      .set((eb) => ({ expires_at: eb.ref('created_at'), version: eb('version', '+', 1) }))
      .where('status', 'in', ['pending', 'approved'])
      .execute();
  },
};
