import type { TaskRow } from './tables.js';
import type { Task, TaskStatus } from './types.js';

export function taskFromRow(row: TaskRow): Task {
  return { id: row.id, agentId: row.agent_id, description: row.description, status: row.status as TaskStatus, createdAt: row.created_at, expiresAt: row.expires_at, closedAt: row.closed_at };
}

export function taskView(task: Task) {
  return { id: task.id, agent_id: task.agentId, description: task.description, status: task.status, created_at: task.createdAt, expires_at: task.expiresAt, closed_at: task.closedAt };
}

export type TaskView = ReturnType<typeof taskView>;
