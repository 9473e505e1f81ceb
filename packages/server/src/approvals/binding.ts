import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { DelegationLink } from '../audit/index.js';
import { ValidationError } from '../shared/errors.js';
import type { ApprovalResource, BoundRequest } from './types.js';

/**
 * The binding hash: SHA-256 (hex) over the RFC 8785 (JCS) canonical JSON of
 *
 *   { "v": 2, "agent_id", "action", "tool", "resource", "on_behalf_of", "context", "chain" }
 *
 * that is, everything the policy saw that came from the caller: the action, the tool, every
 * member of the resource, the caller's `context` (as `input.context`), the user and the
 * delegation chain. An approval holds the hash of the request it was asked for; a later
 * presentation is accepted only when the presented request hashes to the same value. JCS
 * fixes key order, number and string forms, so the same request always gives the same bytes
 * on any replica; `"v": 2` keeps these hashes apart from the first form (without context and
 * chain), whose approvals migration 009 expired.
 *
 * Canonical forms: absent and null members of `resource` are dropped (an explicit
 * `owner: null` and no owner mean the same request); `on_behalf_of` is null when unknown; an
 * absent context is `{}` (what the policy sees); the context is otherwise taken as given —
 * nested keys in any order, `null` members kept, since a policy can tell them from absent
 * ones; the chain keeps its order and each link only `sub` and `client_id` when present; an
 * absent chain is the agent alone.
 */
export const BINDING_VERSION = 2;

export function bindingDocument(request: BoundRequest): Record<string, unknown> {
  return {
    v: BINDING_VERSION,
    agent_id: request.agentId,
    action: request.action,
    tool: request.tool,
    resource: normaliseResource(request.resource),
    on_behalf_of: request.onBehalfOf ?? null,
    context: request.requestContext ?? {},
    chain: normaliseChain(request.agentId, request.chain),
  };
}

export function normaliseResource(resource: ApprovalResource): ApprovalResource {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out as ApprovalResource;
}

export function normaliseChain(agentId: string, chain: readonly DelegationLink[] | undefined): DelegationLink[] {
  if (chain === undefined || chain.length === 0) return [{ sub: agentId }];
  return chain.map((l) => (typeof l.client_id === 'string' ? { sub: l.sub, client_id: l.client_id } : { sub: l.sub }));
}

export function bindingHash(request: BoundRequest): string {
  const text = canonicalize(bindingDocument(request));
  // canonicalize returns undefined only for values JSON cannot express (functions, symbols).
  if (text === undefined) throw new ValidationError('the request cannot be expressed as JSON');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
