import type { Actor, AuditEvent } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import type { Tx } from '../storage/index.js';
import { appendRevocations, liveCertificatesOf, liveCertificatesOfTask, lockRevocationHead, markRevoked } from './store.js';
import type { CertificateRow } from './tables.js';

/** What a revocation did: the serials revoked and the audit events to append in the same transaction. */
export interface CertificateRevocation {
  serials: string[];
  events: AuditEvent[];
}

/**
 * Revokes certificates inside the caller's transaction: marks them, publishes each serial on
 * the revocation feed (and so the CRL), and returns one audit event per certificate. Already
 * revoked or expired certificates are left alone (revoking twice is not an error).
 */
export async function revokeCertificates(trx: Tx, rows: readonly CertificateRow[], now: number, actor: Actor, reason: string): Promise<CertificateRevocation> {
  const live = rows.filter((row) => row.revoked_at === null && Date.parse(row.not_after) > now);
  const revokedAt = isoTime(now);
  await markRevoked(
    trx,
    live.map((row) => row.serial),
    revokedAt,
    reason,
  );
  await appendRevocations(
    trx,
    live.map((row) => ({ serial: row.serial, agent_id: row.agent_id, not_after: row.not_after, revoked_at: revokedAt })),
  );
  return {
    serials: live.map((row) => row.serial),
    events: live.map((row) => ({
      type: 'certificate.revoked',
      actor,
      subject: row.serial,
      agentId: row.agent_id,
      action: 'revoke',
      outcome: 'success',
      details: { serial: row.serial, spiffe_id: row.spiffe_id, reason },
    })),
  };
}

/** Every live certificate of one agent (suspension, decommissioning). */
export async function revokeAgentCertificatesIn(trx: Tx, agentId: string, now: number, actor: Actor, reason: string): Promise<CertificateRevocation> {
  return revokeCertificates(trx, await liveCertificatesOf(trx, agentId, isoTime(now)), now, actor, reason);
}

/** Every live certificate issued with a task (the task completed, expired or was cancelled). */
export async function revokeTaskCertificatesIn(trx: Tx, taskId: string, now: number, actor: Actor): Promise<CertificateRevocation> {
  await lockRevocationHead(trx);
  return revokeCertificates(trx, await liveCertificatesOfTask(trx, taskId, isoTime(now)), now, actor, `task ${taskId} closed`);
}
