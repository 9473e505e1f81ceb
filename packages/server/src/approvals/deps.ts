import type { AuditLog } from '../audit/index.js';
import type { Actor } from '../audit/index.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../storage/index.js';
import type { Approval } from './types.js';
import type { Waiters } from './waiters.js';

export interface ApprovalSettings {
  ttlSeconds: number;
  maxWaitSeconds: number;
  twoPersonActions: readonly string[];
  allowDelegatingUser: boolean;
  /** An operator may not decide the requests of agents they own (deciders.ts); on unless false. */
  separationOfDuties?: boolean | undefined;
  pollIntervalMs: number;
  /** Cap on an agent's pending requests (none when absent). */
  maxPendingPerAgent?: number | undefined;
}

export interface ApprovalNotifier {
  /**
   * Must return at once: delivery happens in the background. `finished` runs once the delivery
   * is over (delivered, or given up after its attempts), not when shutdown cut it short.
   */
  deliver(approval: Approval, finished?: () => Promise<void>): void;
  /** The longest a delivery can run, all attempts and waits included (webhook-resend.ts waits this out). */
  longestDeliveryMs?(): number;
  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  idle?(): Promise<void>;
}

/**
 * What every use case of the context works with (one object, built once by the service face):
 * the database, the audit log every change commits with, the clock, the settings, and the
 * in-process wake-ups of parked long-polls.
 */
export interface ApprovalDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  settings: ApprovalSettings;
  waiters: Waiters;
  notifier: ApprovalNotifier | undefined;
  /** The agent's registered owner (an email), for separation of duties; null when unknown. */
  agentOwner: AgentOwnerLookup | undefined;
}

/** How the context learns an agent's current owner without knowing the registry. */
export type AgentOwnerLookup = (agentId: string) => Promise<string | null>;

/** The actor of what the context does by itself (expiry). */
export const SYSTEM: Actor = { kind: 'system', id: 'approvals' };

/** Longest reason a human or an agent may give, in characters. */
export const MAX_TEXT = 2_000;
