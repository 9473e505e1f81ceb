/**
 * Seed, "Delegation Chains": Alice delegates her calendar to the assistant by token exchange
 * (RFC 8693); the delegated token's `sub` is Alice and `act` names the assistant. Needs the
 * delegation context (issue 12): until the server lists the token-exchange grant, skipped.
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
