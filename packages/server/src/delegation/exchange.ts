import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { TooManyPendingError, type ApprovalService, type BoundRequest, type ConsumeResult } from '../approvals/index.js';
import type { Actor, DelegationLink } from '../audit/index.js';
import type { ActClaim } from '../identity/index.js';
import { randomId } from '../shared/ids.js';
import type { DelegationClaim, DelegationParent } from './claims.js';
import { DelegationRefused } from './errors.js';
import { narrow, type DelegationSettings, type StepRequest } from './narrowing.js';
import { refuse, type Refusal } from './rules.js';

/** What the token endpoint mints for an admitted step, and what the audit entry records. */
export interface DelegatedGrant {
  scopes: string[];
  ttlSeconds: number;
  subject: string;
  act: ActClaim;
  claim: DelegationClaim;
  /** The `delegation` member of the issuance audit entry (docs/delegation.md "Audit"). */
  audit: Record<string, unknown>;
  /** The parent token's jti, if any (the chain record). */
  parentJti: string | null;
  /** The checked, not yet spent approval of a deep step: spent with the chain record (service.ts `record`). */
  approval: ApprovedStep | null;
}

/** A human's approval admitting a deep step, with what it is spent on and by whom. */
export interface ApprovedStep {
  id: string;
  bound: BoundRequest;
  actor: Actor;
}

export interface StepInput {
  parent: DelegationParent;
  request: StepRequest;
  /** `approval_id` of a retried exchange. */
  approvalId: string | undefined;
  grantType: string;
}

/** The approval a deep exchange needs, bound to exactly this exchange (approvals/binding.ts). */
function boundRequest(input: StepInput, scopes: readonly string[], chain: DelegationLink[]): BoundRequest {
  const { parent, request } = input;
  const exchange = {
    subject: parent.jti ?? `${parent.rootIssuer} ${parent.subject}`,
    actor: request.actor.id,
    scopes: [...scopes].sort(),
    audience: request.audience,
  };
  const id = createHash('sha256').update(canonicalize(exchange)!, 'utf8').digest('hex');
  return {
    agentId: request.actor.id,
    action: 'delegate',
    tool: 'oauth2:token-exchange',
    resource: { type: 'delegation', id, owner: parent.subject, scopes: exchange.scopes.join(' '), audience: request.audience },
    onBehalfOf: parent.subject,
    chain,
  };
}

/**
 * One delegation step (token exchange or ID-JAG): the narrowing rules, then — beyond the
 * approval depth — a human's approval bound to this exact exchange: a first request creates
 * (or reuses) an approval request and is refused with its id (`authorization_pending`, as
 * CIBA); the retry with `approval_id` is admitted once it is approved, and spends it only when
 * the token is recorded (`grant.approval`): a failure before that leaves it for the next retry.
 * Throws DelegationRefused.
 */
export async function delegateStep(approvals: ApprovalService, settings: DelegationSettings, input: StepInput): Promise<DelegatedGrant> {
  const { parent, request } = input;
  const step = narrow(parent, request, settings);
  if (!step.ok) throw new DelegationRefused(step);
  const actor = { sub: request.actor.id, client_id: request.actor.clientId };
  const chain: DelegationLink[] = [{ sub: parent.subject }, ...parent.actors, actor];
  const approval = step.needsApproval ? await admitDeep(approvals, input, boundRequest(input, step.scopes, chain), step.depth) : null;
  const chainId = parent.chainId ?? randomId('dch', 12);
  const parents = parent.jti ? [...parent.parents, parent.jti] : [...parent.parents];
  const claim: DelegationClaim = { depth: step.depth, chain_id: chainId, parents, root: { sub: parent.subject, iss: parent.rootIssuer } };
  return {
    scopes: step.scopes,
    ttlSeconds: step.ttlSeconds,
    subject: parent.subject,
    act: parent.act ? { ...actor, act: parent.act } : actor,
    claim,
    parentJti: parent.jti,
    approval,
    audit: {
      depth: step.depth,
      root: parent.subject,
      root_issuer: parent.rootIssuer,
      chain_id: chainId,
      chain: chain.map((link) => link.sub),
      parent_jti: parent.jti,
      ...(step.pairs ? { pairs: step.pairs } : {}),
      ...(input.approvalId ? { approval_id: input.approvalId } : {}),
    },
  };
}

/** A presented approval that admits the step (checked, not spent), or the refusal it earns. */
async function admitDeep(approvals: ApprovalService, input: StepInput, bound: BoundRequest, depth: number): Promise<ApprovedStep> {
  const actor: Actor = { kind: 'agent', id: input.request.actor.id, chain: bound.chain!, onBehalfOf: input.parent.subject };
  if (input.approvalId) {
    const result = await approvals.check(input.approvalId, bound, actor);
    if (result.ok) return { id: input.approvalId, bound, actor };
    throw new DelegationRefused(approvalRefusal(input.approvalId, result));
  }
  const pending =
    (await approvals.pendingFor(bound)) ??
    (await requestApproval(approvals, 
      {
        ...bound,
        reason: `delegation to depth ${depth} (${bound.chain!.map((l) => l.sub).join(' → ')}) with scopes '${String(bound.resource.scopes)}' for ${input.request.audience}`,
        origin: 'delegation',
        context: { depth, grant_type: input.grantType },
      },
      actor,
    ));
  throw new DelegationRefused(
    refuse('approval_required', `a chain ${depth} deep needs a human's approval: retry with approval_id=${pending.id} once it is approved (GET /v1/approvals/${pending.id}?wait=N)`, pending.id),
  );
}

/** Creates the approval request; the agent's cap on pending requests refuses the exchange, named. */
async function requestApproval(approvals: ApprovalService, request: Parameters<ApprovalService['createRequest']>[0], actor: Actor) {
  try {
    return await approvals.createRequest(request, actor);
  } catch (error) {
    if (error instanceof TooManyPendingError) throw new DelegationRefused(refuse('approval_refused', error.message));
    throw error;
  }
}

/** Why a presented approval does not admit the step (undecided yet, or denied, expired, used, another exchange). */
export function approvalRefusal(approvalId: string, result: Extract<ConsumeResult, { ok: false }>): Refusal {
  if (result.code === 'pending') return refuse('approval_required', `approval ${approvalId} has not been decided yet; retry once it is approved`, approvalId);
  return refuse('approval_refused', `approval ${approvalId} does not admit this exchange: ${result.message}`);
}
