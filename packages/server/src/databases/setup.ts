import type { Foundation } from '../foundation.js';
import type { LeaseManager } from '../leases/index.js';
import type { AgentCheck, TaskCheck } from './deps.js';
import { DatabaseEngine } from './service.js';
import { TargetPools } from './targets.js';

export interface DatabasesSetup extends Pick<Foundation, 'config' | 'store' | 'audit' | 'envelope' | 'clock' | 'logger' | 'scheduler'> {
  leases: LeaseManager;
  checkTask: TaskCheck;
  checkAgent: AgentCheck;
  onClose(task: () => Promise<void> | void): void;
}

/**
 * Builds the database engine (registering its lease engine) with its timed work:
 *
 * | job | kind | what |
 * |---|---|---|
 * | `databases.root-rotation` | periodic, singleton | rotates root passwords whose period (default 24 h) has passed, checked every `secrets.rotationCheckSeconds` |
 */
export function createDatabases({ config, store, audit, envelope, clock, logger, scheduler, leases, checkTask, checkAgent, onClose }: DatabasesSetup): DatabaseEngine {
  const s = config.secrets;
  const engine = new DatabaseEngine({
    store,
    audit,
    envelope,
    clock,
    logger,
    leases,
    checkTask,
    checkAgent,
    targets: new TargetPools(s.dbConnectTimeoutMs),
    settings: { defaultTtlSeconds: s.dbDefaultTtlSeconds, maxTtlSeconds: s.dbMaxTtlSeconds, rootRotationSeconds: s.rootRotationSeconds },
  });
  scheduler.every({ name: 'databases.root-rotation', everyMs: s.rotationCheckSeconds * 1000, singleton: true, run: () => engine.rotateDue() });
  onClose(() => engine.close());
  return engine;
}
