import { sql } from 'kysely';
import type { DialectMigration } from '../../storage/index.js';

/**
 * When the webhook's delivery of a request finished (delivered, or given up after its
 * attempts): a request still unmarked after a delivery's longest run was never finished (the
 * process stopped), and is sent again (webhook-resend.ts). Requests made before this migration
 * count as handled.
 */
export const m040ApprovalNotified: DialectMigration = {
  async up(db) {
    await db.schema.alterTable('approvals').addColumn('notified_at', 'text').execute();
    await sql`update approvals set notified_at = created_at`.execute(db);
  },
};
