import { tablesOf, type Executor } from '../storage/index.js';
/**
 * The policy context's storage. Each change (a module put or deleted, a data document written,
 * a rollback) appends one revision holding the complete state it produced: every module's text
 * and the whole data document. The active state is simply the highest revision, so a rollback
 * is "append a copy of revision N" and replicas only need to compare one number.
 */
export interface PolicyRevisionRow {
  /** 1, 2, 3, … (primary key; two concurrent writers collide here and one retries). */
  revision: number;
  /** Who made the change: `operator:<id>` or `system:<what>`. */
  author: string;
  created_at: string;
  /** What changed, e.g. `put policy authz.rego`, `put data /roles`, `rollback to 3`. */
  change: string;
  /** JSON object: module id → Rego text. */
  modules: string;
  /** JSON: the base data document (an object). */
  data: string;
  /** SHA-256 hex over the sorted (id, text) pairs of every module. */
  modules_hash: string;
}

export interface PolicyTables {
  policy_revisions: PolicyRevisionRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const policyTables = (executor: Executor) => tablesOf<PolicyTables>(executor);
