import { tablesOf, type Executor } from '../storage/index.js';

/**
 * One lease: a credential Mandate issued and must take back. It keeps what revocation needs
 * (`revocation`, sealed), so a lease is revoked even after a restart, even if the role or
 * connection that made it has since been removed.
 */
export interface LeaseRow {
  id: string;
  /** The engine that revokes it (`database`), by which the manager finds its revoker. */
  engine: string;
  /** Where it came from, e.g. `db/<connection>/creds/<role>`: revoke-by-prefix matches it. */
  path: string;
  agent_id: string | null;
  task_id: string | null;
  /** The engine's revocation data (JSON), sealed with the master key (context `lease:<id>`). */
  revocation: string;
  issued_at: string;
  expires_at: string;
  /** Renewal never goes past this. */
  max_expires_at: string;
  /** `active`, `revoking` (due: being revoked, retried with backoff), `revoked`. */
  status: string;
  /** When the next revocation attempt is due (expires_at while active). */
  next_attempt_at: string;
  attempts: number;
  last_error: string | null;
  revoked_at: string | null;
  /** Why it was revoked: `expired`, `revoked`, `agent decommissioned`, `task completed`, … */
  revoke_reason: string | null;
}

export interface LeaseTables {
  leases: LeaseRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const leaseTables = (executor: Executor) => tablesOf<LeaseTables>(executor);
