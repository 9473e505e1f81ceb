/** The scheduler context's public face: one place for every timed job (scheduler.ts). */
export { Scheduler, type DeadlineHandle, type DeadlineSpec, type JobHandle, type JobSpec, type JobStatus, type SchedulerOptions } from './scheduler.js';
