import type { AuditLog } from '../audit/index.js';
import type { Actor } from '../audit/index.js';
import type { Envelope } from '../crypto/index.js';
import type { LeaseManager } from '../leases/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../storage/index.js';
import type { TargetPools } from './targets.js';

export interface DatabaseSettings {
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  rootRotationSeconds: number;
}

/**
 * Whether `taskId` names an open task of `agentId` (tasks/, plugged in by the composition
 * root): throws a 4xx naming the problem otherwise.
 */
export type TaskCheck = (taskId: string, agentId: string | null) => Promise<void>;

/**
 * Whether the agent may still obtain credentials (registry/, plugged in by the composition
 * root): throws a 4xx naming its status otherwise.
 */
export type AgentCheck = (agentId: string) => Promise<void>;

/** What every use case of the database engine works with. */
export interface DatabaseDeps {
  store: Store;
  audit: AuditLog;
  envelope: Envelope;
  clock: Clock;
  logger: Logger;
  leases: LeaseManager;
  targets: TargetPools;
  settings: DatabaseSettings;
  checkTask: TaskCheck;
  checkAgent: AgentCheck;
}

export const SYSTEM: Actor = { kind: 'system', id: 'databases' };
/** The lease engine name this context registers. */
export const ENGINE = 'database';
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
export const urlContext = (name: string) => `db-connection:${name}`;
