import type { Foundation } from '../foundation.js';
import type { LeaseManager } from '../leases/index.js';
import { TaskService } from './service.js';

/**
 * Builds the tasks service with its timed work:
 *
 * | job | kind | what |
 * |---|---|---|
 * | `tasks.expiry` | periodic, singleton | closes open tasks past their expiry (revoking their credentials), every `secrets.leaseSweepIntervalMs` |
 */
export function createTasks({ config, store, audit, clock, scheduler, leases }: Pick<Foundation, 'config' | 'store' | 'audit' | 'clock' | 'scheduler'> & { leases: LeaseManager }): TaskService {
  const s = config.secrets;
  const tasks = new TaskService({ store, audit, clock, leases, settings: { defaultTtlSeconds: s.taskDefaultTtlSeconds, maxTtlSeconds: s.taskMaxTtlSeconds } });
  scheduler.every({ name: 'tasks.expiry', everyMs: s.leaseSweepIntervalMs, singleton: true, run: () => tasks.sweepExpired() });
  return tasks;
}
