/**
 * Seed, "Delegation Chains": Alice delegates her calendar to the assistant by token exchange
 * (RFC 8693); the delegated token's `sub` is Alice and `act` names the assistant. Needs the
 * delegation context (issue 12): until the server lists the token-exchange grant, skipped.
 *
 * To walk, once it lands: trust an identity provider for Alice's token (issue 12 item 8), exchange
 * it with the assistant's client authentication (`resource` = the calendar MCP server), call
 * `list_events` with the delegated token through MCP and print the guard's `onToolCall` record
 * (`ctx.calendar.calls`: subject alice@example.com, `delegation` = the assistant). Keep the
 * delegated token on the context for sub-agents.ts.
 */
import { CAPABILITIES, notWalkedYet } from '../capabilities.js';
import type { DemoStep } from '../context.js';
import { failed, skipped } from '../narrative.js';

export const delegationStep: DemoStep = {
  id: 'delegation',
  title: 'Alice delegates her calendar to the assistant',
  async run(ctx) {
    if (!(await CAPABILITIES.delegation.offered(ctx))) return skipped(CAPABILITIES.delegation.name);
    return failed(notWalkedYet(CAPABILITIES.delegation, 'delegation.ts'));
  },
};
