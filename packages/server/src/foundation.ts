import type { AuditLog } from './audit/index.js';
import type { Config } from './config/schema.js';
import type { Envelope } from './crypto/index.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import type { Scheduler } from './scheduler/index.js';
import type { ChangeNotifier, Store } from './storage/index.js';

/**
 * What the composition root builds first and hands to the contexts built after it: the
 * configuration, the clock, the logger, the store, envelope encryption, the audit log, the
 * scheduler that runs every timed job and the change notifier that tells other replicas what
 * changed (storage/notifier.ts; silent on SQLite).
 * A context's options extend it rather than listing the same six fields again.
 */
export interface Foundation {
  config: Config;
  clock: Clock;
  logger: Logger;
  store: Store;
  envelope: Envelope;
  audit: AuditLog;
  scheduler: Scheduler;
  notifier: ChangeNotifier;
}
