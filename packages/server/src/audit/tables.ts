import { tablesOf, type Executor } from '../storage/index.js';
/** Rows as stored; `details` and `actor` are JSON text so both dialects store them alike. */
export interface AuditEntryRow {
  seq: number;
  time: string;
  type: string;
  actor: string;
  actor_id: string | null;
  /** Derived: the delegation chain the entry belongs to (columns.ts; migration 013). */
  chain_id: string | null;
  agent_id: string | null;
  subject: string | null;
  action: string;
  outcome: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadRow {
  id: number;
  seq: number;
  hash: string;
  last_checkpoint_seq: number;
  last_checkpoint_time: string;
  /** The last entry moved to the archive (0: none) and its hash (migration 034). */
  archived_seq: number;
  archived_hash: string;
}

export interface AuditCheckpointRow {
  seq: number;
  hash: string;
  time: string;
  key_id: string;
  signature: string;
}

/** An audit signing key: the public half as a JWK, the private half sealed by the master key. */
export interface AuditKeyRow {
  id: string;
  algorithm: string;
  public_jwk: string;
  private_key: string;
  created_at: string;
  retired_at: string | null;
}

export interface AuditTables {
  audit_entries: AuditEntryRow;
  audit_head: AuditHeadRow;
  audit_checkpoints: AuditCheckpointRow;
  audit_keys: AuditKeyRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const auditTables = (executor: Executor) => tablesOf<AuditTables>(executor);
