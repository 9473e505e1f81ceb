import type { AuditLog } from '../audit/index.js';
import type { OperatorService } from '../operators/index.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../storage/index.js';
import type { FailedAttempts } from './attempts.js';

export interface SessionSettings {
  /** Absolute lifetime of a session (signin.sessionTtlSeconds). */
  ttlSeconds: number;
  /** A session unused this long ends (signin.sessionIdleSeconds). */
  idleSeconds: number;
  /** The issuer's origin: the only `Origin` a session-authenticated unsafe request may come from. */
  issuerOrigin: string;
  /** Longest `return_to` followed (signin.returnToMaxLength). */
  returnToMaxLength: number;
}

/** What the signin use cases share. */
export interface SigninDeps {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  operators: OperatorService;
  settings: SessionSettings;
  failures: FailedAttempts;
}

/** A session's last use is written at most this often, so reading a session is not a write per request. */
export const TOUCH_EVERY_MS = 60_000;
/** Sessions an admin list shows at most (newest first). */
export const LIST_MAX = 1_000;
/** Ended sessions are kept this long for the admin's eyes, then deleted by `signin.prune`. */
export const KEEP_ENDED_MS = 7 * 86_400_000;
export const USER_AGENT_MAX = 200;
