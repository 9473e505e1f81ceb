import { IllegalTransitionError } from '../shared/errors.js';
import type { ApprovalStatus } from './types.js';

/**
 * The lifecycle as one table (STYLE.md §3):
 *
 *   pending ──approve──▶ approved ──consume──▶ used
 *      │                    │
 *      ├──deny──▶ denied    └──expire──▶ expired
 *      └──expire──▶ expired
 *
 * Under the two-person rule the first approval leaves the request `pending` (it records the
 * approver); only the second moves it to `approved`. `denied`, `expired` and `used` are final.
 */
export const TRANSITIONS: Readonly<Record<ApprovalStatus, readonly ApprovalStatus[]>> = {
  pending: ['approved', 'denied', 'expired'],
  approved: ['used', 'expired'],
  denied: [],
  expired: [],
  used: [],
};

/** The states in which the clock can still run out. */
export const EXPIRABLE: readonly ApprovalStatus[] = ['pending', 'approved'];

export function canMove(from: ApprovalStatus, to: ApprovalStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertMove(from: ApprovalStatus, to: ApprovalStatus): void {
  if (!canMove(from, to)) throw new IllegalTransitionError('approval', from, to, TRANSITIONS[from]);
}

/**
 * The status at `now`: a pending or approved request whose expiry has passed is expired,
 * whether or not the row says so yet (it is persisted lazily and by the sweep).
 */
export function effectiveStatus(stored: ApprovalStatus, expiresAtMs: number, now: number): ApprovalStatus {
  return EXPIRABLE.includes(stored) && now >= expiresAtMs ? 'expired' : stored;
}

export function isFinal(status: ApprovalStatus): boolean {
  return TRANSITIONS[status].length === 0;
}
