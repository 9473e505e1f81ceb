import type { Agent } from '../registry/index.js';
import { InvalidClient } from './errors.js';

/**
 * Workload identity federation (RFC 7523 client assertions from trusted workload issuers:
 * Kubernetes service-account tokens, JWT-SVIDs): an agent authenticates with a JWT it already
 * has, no client secret. The workload context owns the trusted issuers and their mapping rules
 * and fills this port; a `null` answer means the assertion is not from a trusted issuer and
 * goes on as an ordinary private_key_jwt. `audiences` are the `aud` values naming Mandate's
 * authorization server (its issuer and token endpoint), for assertions Mandate itself issued.
 */
export interface FederatedAssertions {
  authenticate(assertion: string, now: number, audiences: readonly string[]): Promise<null | { refused: string } | { agentId: string }>;
}

/** The agent a federated assertion authenticates, null when it is not federated, or InvalidClient. */
export async function authenticateFederated(
  federation: FederatedAssertions | undefined,
  agentById: (id: string) => Promise<Agent | null>,
  assertion: string,
  now: number,
  audiences: readonly string[],
): Promise<Agent | null> {
  if (!federation) return null;
  const result = await federation.authenticate(assertion, now, audiences);
  if (result === null) return null;
  if ('refused' in result) throw new InvalidClient(result.refused);
  const agent = await agentById(result.agentId);
  if (!agent) throw new InvalidClient('the mapped agent does not exist');
  return agent;
}
