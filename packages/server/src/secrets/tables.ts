import { tablesOf, type Executor } from '../storage/index.js';

/** One secret path: its data key (wrapped by the master key) and its version counter. */
export interface SecretRow {
  path: string;
  /** The secret's own AES-256 data key, sealed by the master key (crypto Envelope, context `secret-key:<path>`). */
  wrapped_key: string;
  /** The newest version written (0 before the first write). */
  current_version: number;
  /** Data classification (registry's names): agents whose ceiling is below it are denied by the default policy. */
  classification: string;
  /** Versions kept; writing beyond it destroys the oldest. */
  max_versions: number;
  created_at: string;
  updated_at: string;
}

/** One version of a secret's value, encrypted with the secret's data key. */
export interface SecretVersionRow {
  path: string;
  version: number;
  /** `<iv>.<ciphertext+tag>` base64url under the data key, bound to `<path>#<version>`; null once destroyed. */
  ciphertext: string | null;
  created_at: string;
  /** Soft delete: the value is kept (undelete-able) but not served. */
  deleted_at: string | null;
  destroyed_at: string | null;
}

export interface SecretTables {
  secrets: SecretRow;
  secret_versions: SecretVersionRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const secretTables = (executor: Executor) => tablesOf<SecretTables>(executor);
