import { MandateError } from '../shared/errors.js';

/** An agent already has `approvals.maxPendingPerAgent` requests waiting for a human. */
export class TooManyPendingError extends MandateError {
  constructor(agentId: string, limit: number) {
    super('too_many_pending', 429, `agent '${agentId}' already has ${limit} approval requests pending; wait for them to be decided or expire`, {
      agent_id: agentId,
      limit,
    });
  }
}
