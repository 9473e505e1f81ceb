import type { LeaseRow } from './tables.js';
import type { Lease, LeaseStatus } from './types.js';

export function leaseFromRow(row: LeaseRow): Lease {
  return {
    id: row.id,
    engine: row.engine,
    path: row.path,
    agentId: row.agent_id,
    taskId: row.task_id,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    maxExpiresAt: row.max_expires_at,
    status: row.status as LeaseStatus,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    revokedAt: row.revoked_at,
    revokeReason: row.revoke_reason,
  };
}

/** The wire form (GET /v1/leases, renew, revoke). */
export function leaseView(lease: Lease, nowMs: number) {
  return {
    lease_id: lease.id,
    engine: lease.engine,
    path: lease.path,
    agent_id: lease.agentId,
    task_id: lease.taskId,
    status: lease.status,
    issued_at: lease.issuedAt,
    expires_at: lease.expiresAt,
    max_expires_at: lease.maxExpiresAt,
    ttl: lease.status === 'active' ? Math.max(0, Math.floor((Date.parse(lease.expiresAt) - nowMs) / 1000)) : 0,
    attempts: lease.attempts,
    last_error: lease.lastError,
    revoked_at: lease.revokedAt,
    revoke_reason: lease.revokeReason,
  };
}

export type LeaseView = ReturnType<typeof leaseView>;
