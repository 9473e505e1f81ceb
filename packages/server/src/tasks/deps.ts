import type { Actor, AuditLog } from '../audit/index.js';
import type { LeaseManager } from '../leases/index.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../storage/index.js';
import type { TaskCloseHook } from './types.js';

export interface TaskSettings {
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
}

export interface TaskDeps {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  leases: LeaseManager;
  settings: TaskSettings;
  closeHooks: Set<TaskCloseHook>;
}

export const SYSTEM: Actor = { kind: 'system', id: 'tasks' };
/** Open tasks one agent may hold at once. */
export const MAX_OPEN_PER_AGENT = 100;
export const DESCRIPTION_MAX = 500;
/** Expired tasks closed per sweep; the next sweep takes the rest. */
export const SWEEP_BATCH = 200;
