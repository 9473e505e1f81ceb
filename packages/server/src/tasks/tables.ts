import { tablesOf, type Executor } from '../storage/index.js';

/** A task: a unit of an agent's work whose credentials end together with it. */
export interface TaskRow {
  id: string;
  agent_id: string;
  description: string | null;
  /** `open`, `completed`, `expired` or `cancelled` (its agent was decommissioned). */
  status: string;
  created_at: string;
  expires_at: string;
  closed_at: string | null;
}

export interface TaskTables {
  tasks: TaskRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const taskTables = (executor: Executor) => tablesOf<TaskTables>(executor);
