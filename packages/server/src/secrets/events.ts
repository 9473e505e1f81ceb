import type { Actor, AuditEvent } from '../audit/index.js';

/** One audit event of the secret store: the path and versions, never a value. */
export function secretEvent(type: string, action: string, actor: Actor, path: string, details: Record<string, unknown> = {}): AuditEvent {
  return {
    type,
    actor,
    subject: path,
    ...(actor.kind === 'agent' ? { agentId: actor.id } : {}),
    action,
    outcome: 'success',
    details: { path, ...details },
  };
}
