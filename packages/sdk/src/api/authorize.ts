import type { ApiClient } from './client.js';

/** What the action touches (docs/contract.md `POST /v1/authorize`). */
export interface ResourceRef {
  type: string;
  id: string;
  owner?: string;
  sensitivity?: string;
}

export interface AuthorizeRequest {
  /** The agent's token, when a resource server or operator asks on the agent's behalf. */
  token?: string;
  action: string;
  tool: string;
  resource: ResourceRef;
  context?: Record<string, unknown>;
  /** An approved request for exactly this action (single use). */
  approval_id?: string;
}

export type DecisionOutcome = 'allow' | 'deny' | 'approval_required';

export interface AuthorizationDecision {
  decision: DecisionOutcome;
  reasons: string[];
  obligations: unknown[];
  decision_id: string;
  approval_id?: string;
}

/** Asks the policy decision point whether the action is allowed (`POST /v1/authorize`). Never retried: a decision is audited and may raise an approval. */
export async function authorize(client: ApiClient, request: AuthorizeRequest): Promise<AuthorizationDecision> {
  const decision = await client.request<AuthorizationDecision>('POST', '/v1/authorize', request);
  if (decision.decision !== 'allow' && decision.decision !== 'deny' && decision.decision !== 'approval_required') {
    throw new TypeError(`unexpected decision '${String(decision.decision)}'`);
  }
  return { ...decision, reasons: decision.reasons ?? [], obligations: decision.obligations ?? [] };
}
