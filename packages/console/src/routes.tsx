/**
 * The console's pages, one line each: path, title, the nav label (pages without one are
 * reached by links), and the permission that shows the page. Add a page here and it is
 * routed and, with a nav label, in the navigation.
 */
import type { ReactNode } from 'react';
import type { Permission } from './names';
import { AgentsPage } from './pages/agents/agents-page';
import { AgentDetailPage } from './pages/agents/agent-detail-page';
import { ApprovalsPage } from './pages/approvals/approvals-page';
import { AuditPage } from './pages/audit/audit-page';
import { AlertsPage } from './pages/alerts/alerts-page';
import { PoliciesPage } from './pages/policies/policies-page';
import { LeastPrivilegePage } from './pages/least-privilege/least-privilege-page';
import { SessionsPage } from './pages/sessions/sessions-page';

export interface Route {
  path: string;
  title: string | ((params: Record<string, string>) => string);
  nav?: string;
  permission?: Permission;
  render: (params: Record<string, string>) => ReactNode;
}

export const ROUTES: Route[] = [
  { path: '/agents', title: 'Agents', nav: 'Agents', permission: 'agents:read', render: () => <AgentsPage /> },
  { path: '/agents/:id', title: (p) => `Agent ${p.id}`, permission: 'agents:read', render: (p) => <AgentDetailPage id={p.id!} /> },
  { path: '/approvals', title: 'Approvals', nav: 'Approvals', permission: 'approvals:read', render: () => <ApprovalsPage /> },
  { path: '/audit', title: 'Audit', nav: 'Audit', permission: 'audit:read', render: () => <AuditPage /> },
  { path: '/alerts', title: 'Alerts', nav: 'Alerts', permission: 'alerts:read', render: () => <AlertsPage /> },
  { path: '/policies', title: 'Policies', nav: 'Policies', permission: 'policies:read', render: () => <PoliciesPage /> },
  { path: '/least-privilege', title: 'Least privilege', nav: 'Least privilege', permission: 'agents:read', render: () => <LeastPrivilegePage /> },
  // Every signed-in operator and person: their own sessions (and everyone's with sessions:read).
  { path: '/sessions', title: 'Sessions', nav: 'Sessions', render: () => <SessionsPage /> },
];

/**
 * Where `/console/` lands: the first page in the navigation the principal may see (the agents
 * for operators who may read them; a person, who has no role, lands on their sessions).
 */
export function homeFor(allowed: (permission: Permission) => boolean): string {
  return ROUTES.find((route) => route.nav && (!route.permission || allowed(route.permission)))?.path ?? '/sessions';
}
