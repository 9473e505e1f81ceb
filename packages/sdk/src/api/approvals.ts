import { ResponseError } from '../shared/errors.js';
import type { ApiClient } from './client.js';
import type { ResourceRef } from './authorize.js';

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'used';

/** An approval request as the server shows it (`/v1/approvals`). */
export interface Approval {
  id: string;
  status: ApprovalStatus;
  agent_id: string;
  chain: { sub: string; client_id?: string }[];
  on_behalf_of: string | null;
  action: string;
  tool: string;
  resource: ResourceRef & Record<string, unknown>;
  reason: string;
  origin: string;
  /** The caller's context the approval is bound to (the call must send the same). */
  request_context: Record<string, unknown>;
  /** The server's facts for the deciders (not bound). */
  context: Record<string, unknown> | null;
  binding_hash: string;
  required_approvals: number;
  approvals: { operator_id: string; email: string; at: string; reason: string | null }[];
  created_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  used_at: string | null;
}

export interface ApprovalRequest {
  action: string;
  tool: string;
  resource: ResourceRef;
  /** Shown to the human who decides. */
  reason: string;
  on_behalf_of?: string;
  /** The context the agent will send with the call: the approval is bound to it. */
  context?: Record<string, unknown>;
}

/** Longest single long-poll asked of the server; longer waits are several polls. */
const MAX_POLL_SECONDS = 25;

export function requestApproval(client: ApiClient, request: ApprovalRequest): Promise<Approval> {
  return client.request<Approval>('POST', '/v1/approvals', request);
}

export function getApproval(client: ApiClient, id: string, waitSeconds = 0): Promise<Approval> {
  const query = waitSeconds > 0 ? `?wait=${Math.ceil(waitSeconds)}` : '';
  return client.request<Approval>('GET', `/v1/approvals/${encodeURIComponent(id)}${query}`);
}

/**
 * Waits until a human decides (or the request expires), by long-polling `?wait=N`. Returns the
 * approval in whatever state it has when the decision comes or `timeoutSeconds` run out — check
 * `status`: only `approved` lets the agent go ahead.
 */
export async function waitForApproval(client: ApiClient, id: string, options: { timeoutSeconds: number; signal?: AbortSignal }): Promise<Approval> {
  const deadline = client.clock.now() + options.timeoutSeconds * 1000;
  for (;;) {
    const remaining = Math.floor((deadline - client.clock.now()) / 1000);
    const approval = await client.request<Approval>(
      'GET',
      `/v1/approvals/${encodeURIComponent(id)}${remaining > 0 ? `?wait=${Math.min(remaining, MAX_POLL_SECONDS)}` : ''}`,
      undefined,
      options.signal ? { signal: options.signal } : {},
    );
    if (typeof approval.status !== 'string') throw new ResponseError('approval without status', 200);
    if (approval.status !== 'pending' || remaining <= 0 || options.signal?.aborted) return approval;
  }
}
