/**
 * Seed, "The Delegation Principle": the assistant (A) spawns a read-only calendar sub-agent (B),
 * which spawns a single-event lookup sub-sub-agent (C); each level narrows, and depth 3 needs a
 * human's approval. Needs the delegation context (issue 12): skipped until token exchange is offered.
 *
 * To walk, once it lands: register B (read-only calendar) and C (single event lookup); B exchanges
 * the delegated token for calendar:read; C's exchange at depth 3 answers with an approval id, the
 * approver approves, C retries and gets its token; print each token's scope and `act` chain, and
 * C's `list_events` through MCP with the three-actor chain in the guard's record.
 */
import { CAPABILITIES, notWalkedYet } from '../capabilities.js';
import type { DemoStep } from '../context.js';
import { failed, skipped } from '../narrative.js';

export const subAgentsStep: DemoStep = {
  id: 'sub-agents',
  title: 'It spawns a read-only sub-agent and a single-event sub-sub-agent (depth 3 needs approval)',
  async run(ctx) {
    if (!(await CAPABILITIES.delegation.offered(ctx))) return skipped(CAPABILITIES.delegation.name);
    return failed(notWalkedYet(CAPABILITIES.delegation, 'sub-agents.ts'));
  },
};
