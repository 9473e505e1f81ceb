import type { AuditLog } from '../audit/index.js';
import type { Clock } from '../shared/clock.js';
import type { OperatorStore } from './store.js';

/** What every operators use case works with: its SQL, the audit log (a change commits with its entry) and the clock. */
export interface OperatorDeps {
  operators: OperatorStore;
  audit: AuditLog;
  clock: Clock;
}
