import type { Agent } from '../registry/index.js';
import { isoTime } from '../shared/clock.js';

/**
 * The data classification ceiling a person's client carries into decisions: `confidential`,
 * what a person at the company normally reads; `restricted` data needs a policy rule naming people.
 */
export const PERSON_CLIENT_CLASSIFICATION = 'confidential' as const;

const marked = new WeakSet<Agent>();

/** Whether the decision point's "agent" is a person's client (authorization code), not a registered agent. */
export function isPersonClientAgent(agent: Agent): boolean {
  return marked.has(agent);
}

/**
 * A person's client as the token holder the decision point and /v1 know (the registry's Agent
 * shape): the client acts for the person named in the token's `sub` (input.user, and the
 * delegation chain's root). It registers no tools and no scopes of its own: the person's token
 * scopes count as they are, and the default policy skips the agents' tool-registration check
 * for it (input.agent.kind = "person_client").
 */
export function personClientAgent(client: { clientId: string; name: string }, createdAt: number): Agent {
  const at = isoTime(createdAt);
  const agent: Agent = {
    id: client.clientId,
    clientId: client.clientId,
    name: client.name,
    purpose: "a person's client (authorization code)",
    owner: '',
    scopes: [],
    tools: [],
    dataClassification: PERSON_CLIENT_CLASSIFICATION,
    environment: 'person',
    status: 'active',
    tokenTtlSeconds: null,
    jwks: null,
    tlsClientAuthSubjectDn: null,
    metadata: {},
    createdAt: at,
    createdBy: 'oauth',
    updatedAt: at,
    statusChangedAt: at,
    statusChangedBy: 'oauth',
    statusReason: null,
    lastReview: null,
    reviewDueAt: at,
    reviewOverdue: false,
    clientSecretIssuedAt: null,
    previousSecretExpiresAt: null,
  };
  marked.add(agent);
  return agent;
}
