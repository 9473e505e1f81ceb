/**
 * The database as Kysely sees it: each context declares its own tables in its folder,
 * and this type joins them. Add one `extends` per context.
 */
import type { ApprovalTables } from '../approvals/tables.js';
import type { AuditTables } from '../audit/tables.js';
import type { OAuthTables } from '../oauth/tables.js';
import type { OperatorTables } from '../operators/tables.js';
import type { PolicyTables } from '../policy/tables.js';
import type { RegistryTables } from '../registry/tables.js';

export interface MetaTable {
  key: string;
  value: string;
}

export interface Tables extends AuditTables, OperatorTables, ApprovalTables, OAuthTables, RegistryTables, PolicyTables {
  meta: MetaTable;
}
