import type { Actor, AuditLog } from '../audit/index.js';
import type { Envelope } from '../crypto/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../storage/index.js';
import type { LeaseEngine, RevocationFailingListener } from './types.js';

export interface LeaseSettings {
  /** Backoff of a failed revocation: this delay, doubling per failure, capped. */
  revocationBackoffMs: number;
  revocationBackoffMaxMs: number;
  /** Failures of one revocation before the `revocation failing` event is raised. */
  revocationAlertAfterFailures: number;
  maxLeasesPerAgent: number;
}

/** What every use case of the lease manager works with. */
export interface LeaseDeps {
  store: Store;
  audit: AuditLog;
  envelope: Envelope;
  clock: Clock;
  logger: Logger;
  settings: LeaseSettings;
  engines: Map<string, LeaseEngine>;
  failingListeners: Set<RevocationFailingListener>;
  /** Leases being revoked by this process now: an attempt never runs twice at once. */
  inFlight: Set<string>;
}

export const SYSTEM: Actor = { kind: 'system', id: 'leases' };

/** Most leases one sweep takes up; the next sweep takes the rest. */
export const SWEEP_BATCH = 500;
/** Revocations run side by side within one sweep. */
export const SWEEP_CONCURRENCY = 8;
/** Longest error text kept on a lease. */
export const ERROR_MAX = 500;

export const sealContext = (leaseId: string) => `lease:${leaseId}`;
