import type { Actor, AuditLog } from '../audit/index.js';
import type { Envelope } from '../crypto/index.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../storage/index.js';

export interface SecretSettings {
  /** Versions kept per path by default. */
  versionsKept: number;
  /** Largest value (its JSON text), in bytes. */
  valueMaxBytes: number;
}

/** What every use case of the secret store works with. */
export interface SecretDeps {
  store: Store;
  audit: AuditLog;
  envelope: Envelope;
  clock: Clock;
  settings: SecretSettings;
}

/** Who reads or writes; recorded with every audit entry (paths and versions, never values). */
export type SecretActor = Actor;

/** Paths: segments of letters, digits, `_ . -`, joined by `/`; no empty, `.` or `..` segment. */
export const PATH_PATTERN = /^(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
export const PATH_MAX_LENGTH = 512;
/** Most versions one request may delete or destroy, and most paths one list returns. */
export const MAX_VERSIONS_PER_CALL = 100;
export const MAX_LIST = 1_000;
