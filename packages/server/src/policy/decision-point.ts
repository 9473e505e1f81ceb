/**
 * The policy decision point behind `POST /v1/authorize`: "can this agent, acting for this
 * user, via this tool, at this time, do this action on this resource?"
 *
 * 1. `context` and `resource` are held to their size and depth limits (config
 *    `policy.decisionInputMaxBytes`, `policy.decisionInputMaxDepth`) and `package` to the rule
 *    that only an operator with policies:write may name one: before anything is read or written.
 * 2. The agent's token is verified (identity/subjects.ts: cached claims, revocation always
 *    checked), and the agent held to its decision rate (`policy.decisionsPerMinutePerAgent`).
 * 3. A presented `approval_id` is checked against this exact request (approvals binding hash).
 * 4. The input document is built (input.ts) and the server's package (`policy.decisionPackage`,
 *    default `mandate.authz`) is evaluated: `allow`, `deny`, `require_approval`, `obligations`.
 *    The token's scopes count only as far as the agent still holds them (its current record).
 * 5. outcome.ts turns that into allow / deny / approval_required; an allow spends the presented
 *    approval (single use, atomically in the approvals service); approval_required names the
 *    agent's pending request for the same action, or creates one.
 * 6. The decision goes to the audit log with its input, result and revision. A plain decision
 *    goes through the log's group commit. A decision that spends an approval or creates a
 *    request is appended inside the approvals transaction that does so (`RecordAlongside`):
 *    change and entry commit together or not at all (issue 10 item 6).
 */
import { bindingHash, normaliseResource, type ApprovalResource, type ApprovalService, type BoundRequest, type RecordAlongside } from '../approvals/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Actor, AuditEvent, DelegationLink } from '../audit/index.js';
import { TokenBuckets } from '../oauth/index.js';
import type { Clock } from '../shared/clock.js';
import { UnauthenticatedError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { decisionId as newDecisionId } from './decision-id.js';
import { DEFAULT_LOG_PACKAGE, hasLogPackage, sampleOf, treatLogEntry, type LogTreatment } from './decision-log-policy.js';
import { DEFAULT_PACKAGE, evaluatePackage } from './package-eval.js';
import { DecisionRateLimitedError, PackageNotAllowedError, UnknownPackageError } from './errors.js';
import { actorChain, buildInput, checkInputLimits, delegatingUser, loggable, type Caller, type DecisionRequest } from './input.js';
import { withoutDerivedTime } from './logged-input.js';
import { decide, PolicyShapeError, readResult, REASONS, type DecisionKind, type Outcome, type PolicyResult } from './outcome.js';
import type { ActivePolicy, PolicyService } from './service.js';
import type { Subject, TokenSubjects } from '../identity/index.js';

export { DEFAULT_PACKAGE, evaluatePackage };
export const DECISION_EVENT = 'policy.decision';

export interface AuthorizeCall {
  caller: Caller;
  /** The agent's access token (the caller's own bearer, or `token` from the body). */
  token: string;
  /** True when the token came in the body: an invalid one is then a `deny`, not a 401. */
  tokenFromBody: boolean;
  /** The audience the token must carry (Mandate's issuer for an agent's own call), or null for any. */
  audience: string | null;
  /**
   * False when an agent sent its own token as plain Bearer: a DPoP-bound token (`cnf.jkt`)
   * is then refused (RFC 9449 §7.1). True for DPoP calls (proof checked) and for tokens in the
   * body (the resource server checked its own request's proof).
   */
  proofChecked: boolean;
  /** The package an admin bound to the calling resource server (identity reads it with its credentials). */
  boundPackage?: string | null | undefined;
  request: DecisionRequest & { package?: string | undefined; sensitiveContext?: string[] | undefined };
}

export interface DecisionResponse {
  decision: DecisionKind;
  reasons: string[];
  obligations: unknown[];
  decision_id: string;
  policy_revision: number;
  approval_id?: string;
}

/** The decision point's limits and package (config `policy`, defaults in config/defaults.ts). */
export interface DecisionSettings {
  decisionPackage: string;
  decisionsPerMinutePerAgent: number;
  decisionInputMaxBytes: number;
  decisionInputMaxDepth: number;
  /** The decision-log policy's package (`mask`, `drop`; decision-log-policy.ts); default `system.log`. */
  decisionLogPackage?: string | undefined;
}

export interface DecisionPointOptions {
  settings: DecisionSettings;
  policies: PolicyService;
  subjects: TokenSubjects;
  approvals: ApprovalService;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}

type ApprovalCheck = { exists: boolean; refused: string | null; id: string | null };

/**
 * The logged form of an input no log rule changed: without `classification_ranks` (the same in
 * every input) and `time` (exactly what `now_ms` gives, by construction: logged-input.ts), so
 * nothing needs comparing. Replay puts both back.
 */
function untreatedInput(input: unknown): unknown {
  if (input === null || typeof input !== 'object') return loggable(input);
  const { time: _time, classification_ranks: _ranks, ...rest } = input as Record<string, unknown>;
  return loggable(rest);
}

/** The log leaves out what is the same in every input (replay puts it back). */
function withoutConstants(input: unknown): unknown {
  if (input === null || typeof input !== 'object') return input;
  const { classification_ranks: _, ...rest } = input as Record<string, unknown>;
  return rest;
}

export class DecisionPoint {
  private readonly rates: TokenBuckets;

  constructor(private readonly options: DecisionPointOptions) {
    this.rates = new TokenBuckets(options.settings.decisionsPerMinutePerAgent);
  }

  /**
   * The package evaluated for this call: the one an admin bound to the calling resource server,
   * else the server's; an operator may name another (the route has checked that operator's
   * policies:write). Agents and resource servers naming one get 403: they never choose.
   */
  private packageFor(call: AuthorizeCall): { pkg: string; bound: boolean } {
    const configured = this.options.settings.decisionPackage;
    const named = call.request.package;
    if (named !== undefined) {
      if (call.caller.kind !== 'operator') throw new PackageNotAllowedError(call.caller.kind, call.boundPackage || configured, Boolean(call.boundPackage));
      return { pkg: named, bound: false };
    }
    if (call.caller.kind === 'resource_server' && call.boundPackage) return { pkg: call.boundPackage, bound: true };
    return { pkg: configured, bound: false };
  }

  /** One decision against `key`'s budget (policy.decisionsPerMinutePerAgent); 429 with Retry-After when spent. */
  private takeRate(key: string): void {
    const wait = this.rates.take(key, this.options.clock.now());
    if (wait > 0) throw new DecisionRateLimitedError(wait, this.options.settings.decisionsPerMinutePerAgent);
  }

  async authorize(call: AuthorizeCall): Promise<DecisionResponse> {
    const { policies, subjects, clock, settings } = this.options;
    // Validation before anything else: a refused request leaves no approval and no log entry.
    checkInputLimits(call.request, { maxBytes: settings.decisionInputMaxBytes, maxDepth: settings.decisionInputMaxDepth });
    const { pkg, bound: packageBound } = this.packageFor(call);
    const active = await policies.fresh();
    const node = active.prepared.tree.node(pkg.split('.'), false);
    // A bound package missing from the loaded policy denies (below, logged); a named one is a 400.
    const missing = !node || !node.hasRules;
    if (missing && !packageBound) throw new UnknownPackageError(pkg);
    const nowMs = clock.now();
    const decisionId = newDecisionId(nowMs);

    const subject = await subjects.resolve(call.token, call.audience);
    if (!subject) {
      if (!call.tokenFromBody) {
        const why = call.audience === null ? null : await subjects.audienceRefusal(call.token, call.audience);
        throw new UnauthenticatedError(why ?? 'the bearer token is not valid (unknown, expired or revoked)');
      }
      // No agent to count against: the resource server or operator that sent the token is.
      this.takeRate(`${call.caller.kind}:${call.caller.id}`);
      return this.invalidToken(call, pkg, decisionId, active, nowMs);
    }
    if (!call.proofChecked && subject.claims.cnf?.jkt !== undefined) {
      throw new UnauthenticatedError('this token is bound to a DPoP key: send it with the DPoP scheme and a proof');
    }
    // An agent's own call: the caller is the token's agent.
    if (call.caller.kind === 'agent') call = { ...call, caller: { kind: 'agent', id: subject.agent.id } };
    this.takeRate(`agent:${subject.agent.id}`);

    const user = delegatingUser(subject.agent, subject.claims);
    const bound: BoundRequest = {
      agentId: subject.agent.id,
      action: call.request.action,
      tool: call.request.tool,
      resource: normaliseResource(call.request.resource as ApprovalResource),
      onBehalfOf: user.source === 'delegation' ? user.id : null,
      requestContext: call.request.context ?? {},
      chain: user.chain,
    };
    const approval = await this.checkApproval(call.request.approvalId, bound);
    const input = buildInput(subject.agent, subject.claims, call.request, { nowMs, caller: call.caller, approval: { exists: approval.exists, id: approval.id } });

    let outcome: Outcome;
    let result: PolicyResult | null = null;
    let policyError: string | null = null;
    try {
      if (missing) throw new PolicyShapeError(`package '${pkg}' bound to resource server '${call.caller.id}' is not in the loaded policy`);
      const s = policies.settings;
      result = evaluatePackage(active, pkg, input, BigInt(nowMs) * 1_000_000n, { maxSteps: s.maxSteps, timeoutMs: s.maxEvalMs });
      outcome = decide(result, approval);
    } catch (error) {
      if (error instanceof UnknownPackageError) throw error;
      // A policy that fails at run time (conflict, limits, wrong shape) fails closed.
      policyError = error instanceof PolicyShapeError ? error.message : ((error as { code?: string }).code ?? 'evaluation failed');
      this.options.logger.warn({ err: error, decision_id: decisionId, revision: active.revision }, 'policy evaluation failed; denying');
      outcome = { decision: 'deny', reasons: [missing ? REASONS.packageMissing : REASONS.policyError] };
    }

    // Members in sorted order (as canonical JSON writes them: the log then writes it without sorting a copy).
    const actor: Actor = { chain: actorChain(subject.agent, subject.claims) as DelegationLink[], id: subject.agent.id, kind: 'agent', ...(user.source === 'delegation' ? { onBehalfOf: user.id } : {}) };
    const about: DecisionFacts = {
      active,
      actor,
      agentId: subject.agent.id,
      caller: call.caller,
      pkg,
      input,
      nowMs,
      approvalRefused: approval.refused,
      policyError,
      sensitive: call.request.sensitiveContext ?? [],
      action: call.request.action,
      approvalRequested: false,
      // The agent's record, the token's claims and its chain repeat in every decision made with
      // this token: its entries are stored against one shared base (audit compact entries).
      compactKey: `${DECISION_EVENT}:${subject.agent.id}:${subject.claims.jti}`,
    };
    const answer = (approvalId?: string): DecisionResponse => ({
      decision: outcome.decision,
      reasons: outcome.reasons,
      obligations: outcome.decision === 'deny' ? [] : (result?.obligations ?? []),
      decision_id: decisionId,
      policy_revision: active.revision,
      ...(approvalId ? { approval_id: approvalId } : {}),
    });

    // An allow that spends an approval: the spending and the decision entry commit together
    // (approvals' transaction), so a failed log write leaves the approval unspent.
    if (outcome.decision === 'allow' && approval.exists && approval.id) {
      const response = answer(approval.id);
      const spent = await this.options.approvals.consume(approval.id, bound, actor, () => [this.entryFor(response, about)]);
      if (spent.ok) return response;
      outcome = { decision: 'deny', reasons: [`approval_${spent.code}`] };
    }
    if (outcome.decision === 'approval_required') {
      const pending = await this.options.approvals.pendingFor(bound);
      if (pending) return this.log(answer(pending.id), about);
      // A new request and the decision that asks for it commit together or not at all.
      const id = await this.requestApproval(bound, subject, outcome, decisionId, active.revision, actor, (id) => [this.entryFor(answer(id), { ...about, approvalRequested: true })]);
      return answer(id);
    }
    return this.log(answer(), about);
  }

  /** Checks a presented approval without spending it (that happens only on allow). */
  private async checkApproval(id: string | undefined, bound: BoundRequest): Promise<ApprovalCheck> {
    if (id === undefined) return { exists: false, refused: null, id: null };
    const found = await this.options.approvals.find(id);
    if (!found) return { exists: false, refused: 'not_found', id };
    if (found.agentId !== bound.agentId) return { exists: false, refused: 'wrong_agent', id };
    if (found.bindingHash !== bindingHash(bound)) return { exists: false, refused: 'mismatch', id };
    if (found.status !== 'approved') return { exists: false, refused: found.status, id };
    return { exists: true, refused: null, id };
  }

  /**
   * A new approval request, committed in one transaction with `decision`'s entries (the entry
   * says `approval_requested` and names the request; the request's context names the
   * `decision_id`). Should anything in it fail, neither exists and the caller gets the error.
   */
  private async requestApproval(bound: BoundRequest, subject: Subject, outcome: Outcome, decisionId: string, revision: number, actor: Actor, decision: RecordAlongside): Promise<string> {
    const created = await this.options.approvals.createRequest(
      {
        ...bound,
        reason: `policy requires human approval: ${outcome.reasons.join(', ') || REASONS.approvalRequired}`,
        origin: 'decision',
        context: { decision_id: decisionId, reasons: outcome.reasons, policy_revision: revision, agent_name: subject.agent.name },
      },
      actor,
      decision,
    );
    return created.id;
  }

  private async invalidToken(call: AuthorizeCall, pkg: string, decisionId: string, active: ActivePolicy, nowMs: number): Promise<DecisionResponse> {
    const response: DecisionResponse = { decision: 'deny', reasons: [REASONS.invalidToken], obligations: [], decision_id: decisionId, policy_revision: active.revision };
    const { request } = call;
    return this.log(response, {
      active,
      actor: { kind: call.caller.kind === 'operator' ? 'operator' : 'system', id: call.caller.id },
      agentId: null,
      caller: call.caller,
      pkg,
      input: { action: request.action, tool: request.tool, resource: request.resource, context: request.context ?? {} },
      nowMs,
      approvalRefused: null,
      policyError: null,
      sensitive: request.sensitiveContext ?? [],
      action: request.action,
      approvalRequested: false,
    });
  }

  /**
   * A decision with no approval change: its entry goes to the log's group commit, unless the
   * decision-log policy drops it, which only a clean allow can be.
   */
  private async log(response: DecisionResponse, about: DecisionFacts): Promise<DecisionResponse> {
    const treatment = this.logTreatment(response, about);
    const droppable = response.decision === 'allow' && about.policyError === null;
    if (treatment.kind === 'applied' && treatment.drop && droppable) return response;
    await this.options.audit.enqueue(decisionEvent(response, about, treatment));
    return response;
  }

  /** The entry of a decision that commits with an approval change: never dropped. */
  private entryFor(response: DecisionResponse, about: DecisionFacts): AuditEvent {
    return decisionEvent(response, about, this.logTreatment(response, about));
  }

  /** The decision-log policy's verdict on this entry (decision-log-policy.ts); `none` without the package. */
  private logTreatment(response: DecisionResponse, about: DecisionFacts): LogTreatment {
    const pkg = this.options.settings.decisionLogPackage ?? DEFAULT_LOG_PACKAGE;
    if (!hasLogPackage(about.active, pkg)) return { kind: 'none' };
    const limits = this.options.policies.settings;
    const treatment = treatLogEntry(
      about.active,
      pkg,
      {
        decision_id: response.decision_id,
        // A copy of its own: the mask edits it in place, and loggable() shares frozen parts.
        input: structuredClone(loggable(withoutConstants(about.input))),
        result: { decision: response.decision, reasons: response.reasons, obligations: response.obligations },
        package: about.pkg,
        policy_revision: response.policy_revision,
        now_ms: about.nowMs,
        caller: { id: about.caller.id, kind: about.caller.kind },
        sample: sampleOf(response.decision_id),
      },
      BigInt(about.nowMs) * 1_000_000n,
      { maxSteps: limits.maxSteps, timeoutMs: limits.maxEvalMs },
    );
    if (treatment.kind === 'failed') this.options.logger.warn({ decision_id: response.decision_id, error: treatment.error }, 'decision-log policy failed; entry logged without its input');
    return treatment;
  }
}

/** What a decision's log entry records besides the response. */
interface DecisionFacts {
  /** The policy the decision was made with (its log package treats the entry). */
  active: ActivePolicy;
  actor: Actor;
  agentId: string | null;
  caller: Caller;
  pkg: string;
  input: unknown;
  nowMs: number;
  approvalRefused: string | null;
  policyError: string | null;
  sensitive: string[];
  action: string;
  /** True when this decision created a new approval request (named by `approval_id`). */
  approvalRequested: boolean;
  /** Decisions sharing it are stored against one base (AuditEvent.compactKey); none for an invalid token. */
  compactKey?: string;
}

/**
 * The `policy.decision` entry for a response, as the decision-log policy leaves it: input
 * masked (`log_masked` names the pointers), or removed when the log rules failed
 * (`log_policy_error`); `log_drop_refused` when they asked to drop what is never dropped.
 */
function decisionEvent(response: DecisionResponse, about: DecisionFacts, log: LogTreatment): AuditEvent {
  const applied = log.kind === 'applied' ? log : null;
  const input = applied ? withoutDerivedTime(loggable(applied.input), about.nowMs) : log.kind === 'failed' ? undefined : untreatedInput(about.input);
  return {
    type: DECISION_EVENT,
    actor: about.actor,
    subject: response.decision_id,
    ...(about.agentId ? { agentId: about.agentId } : {}),
    action: about.action,
    outcome: response.decision === 'allow' ? 'success' : 'denied',
    // Keys in sorted (RFC 8785) order, as loggable() writes the input's: the audit log then
    // hashes and stores these details without sorting a copy (audit/canonical.ts).
    details: {
      ...(response.approval_id ? { approval_id: response.approval_id } : {}),
      ...(about.approvalRefused ? { approval_refused: about.approvalRefused } : {}),
      ...(about.approvalRequested ? { approval_requested: true } : {}),
      caller: { id: about.caller.id, kind: about.caller.kind },
      decision: response.decision,
      decision_id: response.decision_id,
      ...(input !== undefined ? { input } : {}),
      ...(applied?.drop ? { log_drop_refused: true } : {}),
      ...(applied && applied.masked.length > 0 ? { log_masked: applied.masked } : {}),
      ...(log.kind === 'failed' ? { log_policy_error: log.error } : {}),
      now_ms: about.nowMs,
      obligations: response.obligations,
      package: about.pkg,
      ...(about.policyError ? { policy_error: about.policyError } : {}),
      policy_revision: response.policy_revision,
      reasons: response.reasons,
    },
    sensitive: about.sensitive.map((key) => `input.context.${key}`),
    ...(about.compactKey === undefined ? {} : { compactKey: about.compactKey }),
  };
}
