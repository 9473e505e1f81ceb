/**
 * The capabilities later steps of the story need, each with how to tell whether this build of
 * Mandate offers it: from the authorization server metadata, or from whether a route exists
 * (a 404 from the not-found handler). A step whose capability is absent prints
 * "skipped: <name> not available in this build" — never a simulation of it.
 */
import type { DemoContext } from './context.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

export interface Capability {
  name: string;
  offered(ctx: DemoContext): Promise<boolean>;
}

export const CAPABILITIES = {
  delegation: {
    name: 'delegation by token exchange (RFC 8693)',
    offered: async (ctx) => ctx.metadata.grant_types_supported?.includes(TOKEN_EXCHANGE_GRANT) ?? false,
  },
  databaseCredentials: {
    name: 'dynamic database credentials (POST /v1/db/{name}/creds/{role})',
    offered: (ctx) => ctx.mandate.serves('POST', '/v1/db/calendar/creds/reader'),
  },
  alerts: {
    name: 'monitoring alerts (GET /v1/alerts)',
    offered: (ctx) => ctx.mandate.serves('GET', '/v1/alerts'),
  },
  console: {
    name: 'the web console (/console)',
    offered: (ctx) => ctx.mandate.serves('GET', '/console'),
  },
} as const satisfies Record<string, Capability>;

/**
 * What a step answers when its capability is served but the demo does not walk it yet: a
 * failure that names the module to complete, so the gap cannot pass for a skip.
 */
export function notWalkedYet(capability: Capability, module: string): string {
  return `${capability.name} is served by this build, but the demo does not walk it yet: complete packages/server/demo/steps/${module}`;
}
