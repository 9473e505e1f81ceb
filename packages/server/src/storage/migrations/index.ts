import type { DialectMigration } from '../migrate.js';
import { m000Meta } from './000-meta.js';
import { m001Audit } from './001-audit.js';
import { m002Operators } from './002-operators.js';
import { m003Registry } from './003-registry.js';
import { m004OAuth } from './004-oauth.js';
import { m005Policy } from './005-policy.js';
import { m006Approvals } from './006-approvals.js';
import { m007AuditKeys } from './007-audit-keys.js';

/**
 * Every migration, applied in name order. Never edit one that has shipped: add the next.
 * Numbers are reserved per context: 003 registry, 004 oauth, 005 policy, 006 approvals;
 * later contexts take the next free number.
 */
export const MIGRATIONS: Record<string, DialectMigration> = {
  '000-meta': m000Meta,
  '001-audit': m001Audit,
  '002-operators': m002Operators,
  '003-registry': m003Registry,
  '004-oauth': m004OAuth,
  '005-policy': m005Policy,
  '006-approvals': m006Approvals,
  '007-audit-keys': m007AuditKeys,
};
