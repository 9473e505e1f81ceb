/**
 * Names the server defines that the console needs to draw forms and hide what a role may not
 * do. Copies (the console speaks only the public API and bundles no server code);
 * packages/server/test/console/names.test.ts fails when they drift from the server's tables.
 */

/** registry/classification.ts CLASSIFICATION_NAMES, lowest first. */
export const CLASSIFICATION_NAMES = ['public', 'internal', 'confidential', 'restricted'] as const;

/** registry/lifecycle.ts AGENT_STATUSES. */
export const AGENT_STATUS_NAMES = ['active', 'suspended', 'deprecated', 'decommissioned'] as const;
export type AgentStatus = (typeof AGENT_STATUS_NAMES)[number];

/** registry/lifecycle.ts STATUS_RULES[..].next, as the verbs that lead there. */
export const LIFECYCLE_MOVES: Record<AgentStatus, readonly LifecycleAction[]> = {
  active: ['suspend', 'deprecate'],
  suspended: ['resume', 'deprecate'],
  deprecated: ['decommission'],
  decommissioned: [],
};

/** registry/lifecycle.ts LIFECYCLE_ACTION_NAMES. */
export const LIFECYCLE_ACTION_NAMES = ['suspend', 'resume', 'deprecate', 'decommission'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTION_NAMES)[number];

/** approvals/types.ts APPROVAL_STATUSES. */
export const APPROVAL_STATUS_NAMES = ['pending', 'approved', 'denied', 'expired', 'used'] as const;

/** operators/roles.ts PERMISSIONS, the entries the console asks about. */
export const PERMISSIONS = {
  'agents:read': ['admin', 'owner', 'auditor', 'approver'],
  'agents:write': ['admin', 'owner'],
  'audit:read': ['admin', 'auditor'],
  'policies:read': ['admin', 'auditor'],
  'policies:write': ['admin'],
  'approvals:read': ['admin', 'approver', 'auditor'],
  'approvals:decide': ['admin', 'approver'],
  'alerts:read': ['admin', 'auditor', 'approver'],
  'alerts:manage': ['admin'],
  'leases:read': ['admin', 'auditor'],
  'tasks:manage': ['admin'],
  'sessions:read': ['admin', 'auditor'],
  'sessions:manage': ['admin'],
} as const;
export type Permission = keyof typeof PERMISSIONS;
