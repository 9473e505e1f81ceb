/**
 * Operator roles and what each may do, as one table (STYLE.md §3). Services ask
 * `can(roles, permission)`; routes never test role names themselves.
 * An `owner` manages only the agents it owns: the registry narrows that further.
 */
import { ROLES, type Role } from '../identity/index.js';

/** The role names are identity's (an operator principal carries them); the permissions are ours. */
export { ROLES, type Role };

export const PERMISSIONS = {
  'agents:read': ['admin', 'owner', 'auditor', 'approver'],
  'agents:write': ['admin', 'owner'],
  'operators:manage': ['admin'],
  'operators:read': ['admin', 'auditor'],
  'audit:read': ['admin', 'auditor'],
  'policies:read': ['admin', 'auditor'],
  'policies:write': ['admin'],
  'approvals:read': ['admin', 'approver', 'auditor'],
  'approvals:decide': ['admin', 'approver'],
  'keys:manage': ['admin'],
  'resource-servers:manage': ['admin'],
  'decisions:request': ['admin', 'owner'],
  'tokens:introspect': ['admin'],
  'tokens:revoke': ['admin'],
  'system:read': ['admin', 'auditor'],
  'idps:manage': ['admin'],
  'idps:read': ['admin', 'auditor'],
  'alerts:read': ['admin', 'auditor', 'approver'],
  'alerts:manage': ['admin'],
  /** Approve or deny an owner's grant beyond its ceiling (registry grant requests). */
  'grants:decide': ['admin'],

  'secrets:read': ['admin'],
  'secrets:write': ['admin'],
  'secrets:list': ['admin', 'auditor'],
  'db:manage': ['admin'],
  'db:read': ['admin', 'auditor'],
  'db:creds': ['admin'],
  'leases:read': ['admin', 'auditor'],
  'leases:manage': ['admin'],
  'tasks:manage': ['admin'],
  /** Browser sessions of operators and people (signin/): list, revoke. */
  'sessions:read': ['admin', 'auditor'],
  'sessions:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(roles: readonly Role[], permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return roles.some((role) => allowed.includes(role));
}

/** Roles whose permissions reach only the agents they own (the agent's `owner` equals their email). */
export const OWNER_SCOPED_ROLES: readonly Role[] = ['owner'];

/**
 * How far a permission reaches for these roles: `all` when some role grants it outright,
 * `own` when only owner-scoped roles grant it (e.g. an owner + auditor reads every agent but
 * changes only its own), `none` otherwise.
 */
export function reachOf(roles: readonly Role[], permission: Permission): 'all' | 'own' | 'none' {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  const granting = roles.filter((role) => allowed.includes(role));
  if (granting.length === 0) return 'none';
  return granting.some((role) => !OWNER_SCOPED_ROLES.includes(role)) ? 'all' : 'own';
}
