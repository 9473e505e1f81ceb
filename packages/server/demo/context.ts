/**
 * What the demo's steps share: the running Mandate, the narrator, what earlier steps set up
 * (the agent, the calendar MCP server, the connected MCP client), and the capabilities this build
 * of Mandate offers. Each step reads what it needs and says so when an earlier step did not run.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { AgentAuthService, AuthorizationServerMetadata } from '@mandate/sdk';
import type { CalendarMcp } from './calendar-mcp.js';
import type { CompanyIdp } from './company-idp.js';
import type { DemoDatabase } from './database.js';
import type { DemoMandate } from './mandate.js';
import type { Narrator, Outcome } from './narrative.js';

export const OWNER = 'alice@example.com';
export const OTHER_USER = 'bob@example.com';

export interface DemoAgent {
  id: string;
  clientId: string;
  clientSecret: string;
  auth: AgentAuthService;
}

export interface DemoContext {
  mandate: DemoMandate;
  narrator: Narrator;
  /** RFC 8414 metadata of this Mandate (what grants it offers, among others). */
  metadata: AuthorizationServerMetadata;
  /** An operator who approves requests (not the agent's owner: separation of duties). */
  approver?: { email: string; token: string };
  agent?: DemoAgent;
  calendar?: CalendarMcp;
  mcp?: Client;
  /** Alice's company IdP, trusted by Mandate (delegation step). */
  idp?: CompanyIdp;
  /** The token Alice delegated to the assistant (sub Alice, act the assistant), for its sub-agents. */
  delegatedToken?: string;
  /** The single-event sub-sub-agent's token (depth 3): the assistant is in its chain. */
  subSubAgentToken?: string;
  /** The calendar's database and the 60-second credentials the assistant still holds (database step). */
  database?: { db: DemoDatabase; held: { leaseId: string; username: string; password: string } };
  /** Run at the end, last registered first. */
  cleanups: (() => Promise<void>)[];
}

export interface DemoStep {
  id: string;
  title: string;
  run(ctx: DemoContext): Promise<Outcome>;
}

/** Thrown by a step that needs what an earlier step should have set up. */
export class MissingPrerequisite extends Error {}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new MissingPrerequisite(`needs ${what} from an earlier step`);
  return value;
}
