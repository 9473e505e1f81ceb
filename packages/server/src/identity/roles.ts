/**
 * The roles an operator principal carries. What each role may do is the operators context's
 * permission table (operators/roles.ts); the names live here because every principal an
 * operator token resolves to holds them, and identity sits below operators.
 */
export const ROLES = ['admin', 'approver', 'auditor', 'owner'] as const;
export type Role = (typeof ROLES)[number];
