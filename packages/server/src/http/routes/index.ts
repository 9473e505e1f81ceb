import type { MandatePlugin } from '../plugin.js';
import { agentRoutes } from './agents.js';
import { agentCredentialRoutes } from './agent-credentials.js';
import { grantRequestRoutes } from './grant-requests.js';
import { approvalRoutes } from './approvals.js';
import { consoleRoutes } from './console.js';
import { auditRoutes } from './audit.js';
import { authorizeRoutes } from './authorize.js';
import { delegationRoutes } from './delegation.js';
import { healthRoutes } from './health.js';
import { jobRoutes } from './jobs.js';
import { oauthAdminRoutes } from './oauth-admin.js';
import { oauthRoutes } from './oauth.js';
import { operatorRoutes } from './operators.js';
import { policyRoutes } from './policies.js';
import { metricsRoutes, monitoringRoutes } from './monitoring.js';
import { secretRoutes } from './secrets.js';
import { leaseRoutes } from './leases.js';
import { databaseRoutes } from './databases.js';
import { taskRoutes } from './tasks.js';
import { workloadRoutes } from './workload.js';
import { sessionRoutes, signinRoutes } from './signin.js';

/**
 * Every context's HTTP plugin, one line each. PUBLIC_PLUGINS mount at the root (health,
 * OAuth endpoints, metadata, the web console); V1_PLUGINS mount under /v1 behind authentication.
 */
export const PUBLIC_PLUGINS: MandatePlugin[] = [healthRoutes, oauthRoutes, metricsRoutes, signinRoutes, consoleRoutes];

export const V1_PLUGINS: MandatePlugin[] = [operatorRoutes, agentRoutes, agentCredentialRoutes, auditRoutes, approvalRoutes, oauthAdminRoutes, policyRoutes, authorizeRoutes, jobRoutes, delegationRoutes, monitoringRoutes, grantRequestRoutes, secretRoutes, leaseRoutes, databaseRoutes, taskRoutes, workloadRoutes, sessionRoutes];
