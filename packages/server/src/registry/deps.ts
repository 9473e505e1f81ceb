import type { AuditLog } from '../audit/index.js';
import type { Clock } from '../shared/clock.js';
import type { TtlRange } from './rules.js';
import type { AgentStore, GrantRequestStore } from './store.js';

export interface RegistrySettings {
  reviewIntervalDays: number;
  secretRotationOverlapSeconds: number;
  /** Allowed per-agent access token lifetimes (config oauth.accessTokenTtlMin/MaxSeconds). */
  tokenTtl: TtlRange;
}

/**
 * What every registry use case works with: the agents' SQL, the audit log (each change commits
 * in one transaction with its entry), the clock and the settings. Built once by RegistryService.
 */
export interface RegistryDeps {
  agents: AgentStore;
  grants: GrantRequestStore;
  audit: AuditLog;
  clock: Clock;
  settings: RegistrySettings;
}
