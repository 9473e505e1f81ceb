import type { Actor, AuditEvent } from '../audit/index.js';
import { isoTime } from '../shared/clock.js';
import { encodeFields, type AgentFields } from './fields.js';
import type { AgentStatus } from './lifecycle.js';
import type { AgentRow } from './tables.js';
import type { Agent } from './types.js';

const DAY_MS = 86_400_000;

/** The review interval (registry.reviewIntervalDays) in milliseconds. */
export function reviewIntervalMs(reviewIntervalDays: number): number {
  return reviewIntervalDays * DAY_MS;
}

/** Row → domain object, with the review and previous-secret fields as they stand at `now`. */
export function agentFromRow(row: AgentRow, now: number, reviewIntervalDays: number): Agent {
  const basis = row.last_reviewed_at ?? row.created_at;
  const dueMs = Date.parse(basis) + reviewIntervalMs(reviewIntervalDays);
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    purpose: row.purpose,
    owner: row.owner,
    scopes: JSON.parse(row.scopes) as string[],
    tools: JSON.parse(row.tools) as string[],
    dataClassification: row.data_classification as Agent['dataClassification'],
    environment: row.environment,
    status: row.status as AgentStatus,
    tokenTtlSeconds: row.token_ttl_seconds === null ? null : Number(row.token_ttl_seconds),
    jwks: row.jwks ? (JSON.parse(row.jwks) as Agent['jwks']) : null,
    tlsClientAuthSubjectDn: row.tls_client_auth_subject_dn,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    statusChangedAt: row.status_changed_at,
    statusChangedBy: row.status_changed_by,
    statusReason: row.status_reason,
    lastReview: row.last_reviewed_at ? { at: row.last_reviewed_at, by: row.last_reviewed_by ?? 'unknown', notes: row.last_review_notes } : null,
    reviewDueAt: isoTime(dueMs),
    reviewOverdue: row.status !== 'decommissioned' && now > dueMs,
    clientSecretIssuedAt: row.client_secret_issued_at,
    previousSecretExpiresAt: row.previous_secret_hash && row.previous_secret_expires_at && isoTime(now) < row.previous_secret_expires_at ? row.previous_secret_expires_at : null,
  };
}

/** How records name who changed them: `operator:op-alice`, `system:bootstrap`. */
export function actorLabel(actor: Actor): string {
  return `${actor.kind}:${actor.id}`;
}

/** The row of a newly registered, active agent holding its first client secret (as a hash). */
export function newAgentRow(id: string, fields: AgentFields, secretHash: string, at: string, actor: Actor): AgentRow {
  return {
    id,
    client_id: id,
    ...encodeFields(fields),
    status: 'active',
    client_secret_hash: secretHash,
    client_secret_issued_at: at,
    previous_secret_hash: null,
    previous_secret_expires_at: null,
    created_at: at,
    created_by: actorLabel(actor),
    updated_at: at,
    status_changed_at: at,
    status_changed_by: actorLabel(actor),
    status_reason: null,
    last_reviewed_at: null,
    last_reviewed_by: null,
    last_review_notes: null,
  };
}

/** An audit event about one agent (the agent is both subject and agent id); every registry change writes one. */
export function agentEvent(type: string, action: string, actor: Actor, agentId: string, details: Record<string, unknown>): AuditEvent {
  return { type, actor, subject: agentId, agentId, action, outcome: 'success', details };
}
