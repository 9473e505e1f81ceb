import type { Migrations } from '../../storage/index.js';
import { m006Approvals } from './006-approvals.js';
import { m009ApprovalContextBinding } from './009-approval-context-binding.js';
import { m040ApprovalNotified } from './040-approval-notified.js';

/** The approvals context's migrations, by name; a shipped migration is never edited (add the next). */
export const approvalMigrations: Migrations = {
  '006-approvals': m006Approvals,
  '009-approval-context-binding': m009ApprovalContextBinding,
  '040-approval-notified': m040ApprovalNotified,
};
