import type { DialectMigration } from '../migrate.js';
import { m000Meta } from './000-meta.js';
import { m001Audit } from './001-audit.js';

/**
 * Every migration, applied in name order. Never edit one that has shipped: add the next.
 * Numbers are reserved per context: 002 registry and operators, 003 oauth, 004 policy,
 * 005 approvals.
 */
export const MIGRATIONS: Record<string, DialectMigration> = {
  '000-meta': m000Meta,
  '001-audit': m001Audit,
};
