import { tablesOf, type Executor } from '../storage/index.js';
/** Rows as stored; `details` and `actor` are JSON text so both dialects store them alike. */
export interface AuditEntryRow {
  seq: number;
  time: string;
  type: string;
  /** The actor as canonical JSON; empty for a compact entry (its base holds it). */
  actor: string;
  actor_id: string | null;
  /** Derived: the delegation chain the entry belongs to (columns.ts; migration 013). */
  chain_id: string | null;
  agent_id: string | null;
  subject: string | null;
  action: string;
  outcome: string;
  /** The whole details as canonical JSON; for a compact entry (base_id set) its delta (compact.ts). */
  details: string;
  prev_hash: string;
  hash: string;
  /** The blob a compact entry is stored against (compact.ts; migration 033); null for a whole entry. */
  base_id: number | null;
}

/** A content-addressed blob: the canonical `{actor, details}` a compact entry's delta applies to. */
export interface AuditBlobRow {
  id: number;
  /** SHA-256 (hex) of `body`: verification checks it still is. */
  hash: string;
  body: string;
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
  audit_blobs: AuditBlobRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const auditTables = (executor: Executor) => tablesOf<AuditTables>(executor);
