import type { Actor } from '../audit/index.js';

/** What an engine hands the manager to take a credential back later (kept, sealed, in the lease). */
export type RevocationData = Record<string, unknown>;

/**
 * An engine's side of a lease (STYLE.md §9: engines only create, renew and revoke; the manager
 * does the rest). `revoke` must treat a credential that is already gone as revoked.
 */
export interface LeaseEngine {
  revoke(data: RevocationData): Promise<void>;
  /** Moves the credential's own expiry (e.g. PostgreSQL's VALID UNTIL) when the lease is renewed. */
  renew?(data: RevocationData, expiresAt: string): Promise<void>;
}

export type LeaseStatus = 'active' | 'revoking' | 'revoked';

export interface Lease {
  id: string;
  engine: string;
  path: string;
  agentId: string | null;
  taskId: string | null;
  issuedAt: string;
  expiresAt: string;
  maxExpiresAt: string;
  status: LeaseStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
  revokedAt: string | null;
  revokeReason: string | null;
}

export interface NewLease {
  engine: string;
  path: string;
  agentId: string | null;
  taskId: string | null;
  ttlSeconds: number;
  maxTtlSeconds: number;
  revocation: RevocationData;
}

/** What the manager reports when a revocation keeps failing (monitoring raises its alert from it). */
export interface RevocationFailing {
  leaseId: string;
  engine: string;
  path: string;
  agentId: string | null;
  attempts: number;
  error: string;
  at: string;
}

export type RevocationFailingListener = (event: RevocationFailing) => void;

/** Who revokes: an operator, the agent itself, or the system (expiry, decommission, task end). */
export type LeaseActor = Actor;
