import { tablesOf, type Executor } from '../storage/index.js';
export interface OperatorRow {
  id: string;
  email: string;
  name: string;
  /** JSON array of roles. */
  roles: string;
  status: string;
  created_at: string;
  disabled_at: string | null;
  /** JSON `{scopes, tools, max_classification}` or null (migration 008). */
  grant_ceiling: string | null;
}

export interface OperatorTokenRow {
  id: string;
  operator_id: string;
  secret_hash: string;
  description: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface OperatorTables {
  operators: OperatorRow;
  operator_tokens: OperatorTokenRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const operatorTables = (executor: Executor) => tablesOf<OperatorTables>(executor);
