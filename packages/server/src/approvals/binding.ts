import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ValidationError } from '../shared/errors.js';
import type { ApprovalResource, BoundRequest } from './types.js';

/**
 * The binding hash: SHA-256 (hex) over the RFC 8785 (JCS) canonical JSON of
 *
 *   { "agent_id", "action", "tool", "resource", "on_behalf_of" }
 *
 * An approval holds the hash of the request it was asked for; a later presentation is
 * accepted only when the presented request hashes to the same value. JCS fixes key order,
 * number and string forms, so the same request always gives the same bytes on any replica.
 *
 * Absent and null members of `resource` are dropped before hashing (an explicit
 * `owner: null` and no owner mean the same request); `on_behalf_of` is null when unknown.
 */
export function bindingDocument(request: BoundRequest): Record<string, unknown> {
  return {
    agent_id: request.agentId,
    action: request.action,
    tool: request.tool,
    resource: normaliseResource(request.resource),
    on_behalf_of: request.onBehalfOf ?? null,
  };
}

export function normaliseResource(resource: ApprovalResource): ApprovalResource {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out as ApprovalResource;
}

export function bindingHash(request: BoundRequest): string {
  const text = canonicalize(bindingDocument(request));
  // canonicalize returns undefined only for values JSON cannot express (functions, symbols).
  if (text === undefined) throw new ValidationError('the request cannot be expressed as JSON');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
