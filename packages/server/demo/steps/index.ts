/** The seed's story in order: one module per step, so each capability's step is completed where it lives. */
import type { DemoStep } from '../context.js';
import { alertsStep } from './alerts.js';
import { consoleStep } from './console.js';
import { databaseCredentialsStep } from './database-credentials.js';
import { decommissionStep } from './decommission.js';
import { delegationStep } from './delegation.js';
import { mcpDeleteStep } from './mcp-delete.js';
import { mcpReadStep } from './mcp-read.js';
import { mcpServerStep } from './mcp-server.js';
import { registerStep } from './register.js';
import { subAgentsStep } from './sub-agents.js';
import { tokenStep } from './token.js';

export const STEPS: readonly DemoStep[] = [
  registerStep,
  mcpServerStep,
  tokenStep,
  mcpReadStep,
  mcpDeleteStep,
  delegationStep,
  subAgentsStep,
  databaseCredentialsStep,
  alertsStep,
  decommissionStep,
  consoleStep,
];
