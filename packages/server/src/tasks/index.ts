/**
 * The tasks context's face: per-task credentials. `POST /v1/tasks` opens a task for an agent;
 * leases (and, through `onClose` hooks other contexts plug in, tokens and certificates) issued
 * with its id end together when it completes, expires (job `tasks.expiry`) or its agent is
 * decommissioned (`cancelForAgentIn`, inside the decommission's transaction). `checkOpen` lets
 * engines refuse a task id that is not an open task of the caller. Table and SQL stay inside.
 */
export { TaskService } from './service.js';
export { createTasks } from './setup.js';
export type { ClosedTask, Task, TaskCloseContribution, TaskCloseHook, TaskStatus } from './types.js';
export { taskView, type TaskView } from './view.js';
export { taskMigrations } from './migrations/index.js';
export { revokeWithAgentStatus } from './agent-status.js';
