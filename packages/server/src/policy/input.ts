/**
 * Builds the input document of an authorization decision (pure: no I/O, time passed in).
 * Every ABAC attribute the seed names is here — agent identity and purpose, the delegating
 * user, the tool, the time, the data's sensitivity, the action — plus what policies need to
 * compare them: the agent's registered tools and scopes, its classification ceiling and the
 * numeric ranks, its status, the token's scopes and expiry (ns), and the delegation chain.
 * docs/policies.md "The input document" lists every field.
 */
import { delegationFromClaims } from '../approvals/index.js';
import type { DelegationLink } from '../audit/index.js';
import { chainOf } from '../delegation/index.js';
import { isPersonClientAgent, type AccessTokenClaims } from '../oauth/index.js';
import { DATA_CLASSIFICATIONS, classificationRank, isDataClassification } from '../registry/index.js';
import type { Agent } from '../registry/index.js';
import { timeInput } from './input-time.js';
import { DecisionInputTooDeepError, DecisionInputTooLargeError } from './errors.js';
import { defectError, findJsonDefect } from '../shared/json-guard.js';

/** What the caller asks (already validated by the HTTP schema). */
export interface DecisionRequest {
  action: string;
  tool: string;
  resource: { type: string; id: string; owner?: string | undefined; sensitivity?: string | undefined };
  context?: Record<string, unknown> | undefined;
  approvalId?: string | undefined;
}

export interface Caller {
  kind: 'agent' | 'operator' | 'resource_server';
  id: string;
}

export interface InputEnvironment {
  nowMs: number;
  caller: Caller;
  /** Whether a valid approval bound to exactly this request was presented (checked before evaluation). */
  approval: { exists: boolean; id: string | null };
}

const NS_PER_S = 1_000_000_000n;

/** Rank of a resource whose sensitivity is not given: the highest, so a missing label never widens access. */
export const UNLABELLED_RANK = Math.max(...DATA_CLASSIFICATIONS.map((c) => c.rank));

export const CLASSIFICATION_RANKS: Readonly<Record<string, number>> = Object.fromEntries(DATA_CLASSIFICATIONS.map((c) => [c.name, c.rank]));

/** The user an agent acts for: the subject of a delegated token, else the agent's registered owner. */
export function delegatingUser(agent: Agent, claims: AccessTokenClaims): { id: string; source: 'delegation' | 'agent_owner'; chain: DelegationLink[] } {
  // A person's client (authorization code) acts for the person in `sub`, as an agent acts for
  // the user of a delegated token: the same policies govern both (docs/oauth.md).
  if (isPersonClientAgent(agent)) return { id: claims.sub, source: 'delegation', chain: [{ sub: claims.sub }, { sub: agent.id, client_id: agent.clientId }] };
  const delegation = delegationFromClaims(agent.id, agent.clientId, claims as Record<string, unknown>);
  return delegation.onBehalfOf !== null
    ? { id: delegation.onBehalfOf, source: 'delegation', chain: delegation.chain }
    : { id: agent.owner, source: 'agent_owner', chain: delegation.chain };
}

/** Number of actors in the token's (nested) `act` claim: 0 for a token the agent got for itself. */
export function delegationDepth(claims: { act?: unknown }): number {
  let depth = 0;
  let act = claims.act as { act?: unknown } | undefined;
  while (act && typeof act === 'object' && depth < 16) {
    depth += 1;
    act = act.act as { act?: unknown } | undefined;
  }
  return depth;
}

function scopesOf(claims: AccessTokenClaims): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : [];
}

/** The caller's scopes that still count: the token's, narrowed to what the agent holds now. */
export function effectiveScopes(claims: AccessTokenClaims, agent: Agent): string[] {
  // A person's client registers no scopes: the person's consented scopes count as issued.
  if (isPersonClientAgent(agent)) return scopesOf(claims);
  const held = new Set(agent.scopes);
  return scopesOf(claims).filter((scope) => held.has(scope));
}

export interface InputLimits {
  /** `policy.decisionInputMaxBytes`: largest `context` and `resource`, each as JSON. */
  maxBytes: number;
  /** `policy.decisionInputMaxDepth`: deepest nesting of either. */
  maxDepth: number;
}

/**
 * Refuses a `context` or `resource` nested deeper than `limits.maxDepth` (400), holding a number
 * beyond a double's range or text no store holds (400: the entry could not be logged), or larger
 * than `limits.maxBytes` as JSON (413), before the decision touches anything: no approval
 * request, no log entry. The shape is checked first (iteratively), so measuring the size never
 * recurses deeply. The HTTP edge refuses most of this already (shared/json-guard.ts); this
 * holds for any caller of the decision point, at the decision's own, lower depth.
 */
export function checkInputLimits(request: Pick<DecisionRequest, 'context' | 'resource'>, limits: InputLimits): void {
  for (const field of ['context', 'resource'] as const) {
    const value = request[field];
    if (value === undefined) continue;
    const defect = findJsonDefect(value, `body.${field}`, limits.maxDepth);
    if (defect?.problem === 'too_deep') throw new DecisionInputTooDeepError(field, limits.maxDepth);
    if (defect) throw defectError(defect, limits.maxDepth);
    const bytes = Buffer.byteLength(JSON.stringify(value));
    if (bytes > limits.maxBytes) throw new DecisionInputTooLargeError(field, bytes, limits.maxBytes);
  }
}

/** Freezes `value` and everything inside it (plain objects and arrays; primitives are immutable). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/**
 * What an input takes from the agent's record and its token alone, built once per (record,
 * claims) pair and deep-frozen: every decision made with the same token (while the record stays
 * cached) shares these objects. Sharing is what makes a decision cheap to log: `loggable` copies
 * a frozen part once, the audit log checks its canonical form once (audit/canonical.ts) and
 * compares it to its compact base by identity (audit/delta.ts).
 */
interface SubjectParts {
  user: Readonly<{ id: string; source: 'delegation' | 'agent_owner' }>;
  token: Readonly<Record<string, unknown>>;
  delegation: Readonly<Record<string, unknown>>;
  /** `input.agent` without and with `has_admin_scope` (the one member that depends on the request). */
  agent: readonly [Readonly<Record<string, unknown>>, Readonly<Record<string, unknown>>];
  /** The token's scopes that still count (effectiveScopes), for `has_admin_scope`. */
  scopes: ReadonlySet<string>;
  /** The delegation chain for the decision entry's actor, each link's members in canonical order. */
  actorChain: readonly DelegationLink[];
}

/**
 * Parts by claims (the subject cache keeps one object per token), with the agent record they
 * were built from. The subject cache reloads the record every second or so: a reloaded record
 * that says the same in every field the parts use keeps the parts (and their identity, which
 * the audit log's compact base compares by).
 */
const partsCache = new WeakMap<AccessTokenClaims, { agent: Agent; parts: SubjectParts }>();

function subjectParts(agent: Agent, claims: AccessTokenClaims): SubjectParts {
  const held = partsCache.get(claims);
  if (held && (held.agent === agent || sameInputFields(held.agent, agent))) {
    held.agent = agent;
    return held.parts;
  }
  const parts = buildSubjectParts(agent, claims);
  partsCache.set(claims, { agent, parts });
  return parts;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((item, i) => item === b[i]);

/** Whether two records of one agent give the same parts (every field buildSubjectParts reads). */
function sameInputFields(a: Agent, b: Agent): boolean {
  return (
    a.id === b.id &&
    a.clientId === b.clientId &&
    a.name === b.name &&
    a.purpose === b.purpose &&
    a.owner === b.owner &&
    a.environment === b.environment &&
    a.status === b.status &&
    a.dataClassification === b.dataClassification &&
    sameList(a.tools, b.tools) &&
    sameList(a.scopes, b.scopes) &&
    isPersonClientAgent(a) === isPersonClientAgent(b)
  );
}

function buildSubjectParts(agent: Agent, claims: AccessTokenClaims): SubjectParts {
  const user = delegatingUser(agent, claims);
  const chain = chainOf(claims);
  // The token's scope claim cannot grant what the agent no longer holds (a narrowed agent).
  const tokenScopes = effectiveScopes(claims, agent);
  const ceiling = agent.dataClassification;
  const expiryNs = BigInt(claims.exp) * NS_PER_S;
  const agentPart = (hasAdminScope: boolean) => ({
    kind: isPersonClientAgent(agent) ? 'person_client' : 'agent',
    id: agent.id,
    client_id: agent.clientId,
    name: agent.name,
    purpose: agent.purpose,
    owner: agent.owner,
    environment: agent.environment,
    status: agent.status,
    // Copies: the frozen part must not freeze the registry's record.
    tools: [...agent.tools],
    scopes: [...agent.scopes],
    classification: ceiling,
    classification_rank: classificationRank(ceiling),
    // The seed policy's names, kept so policies written against it run unchanged.
    delegating_user: user.id,
    token_expiry_ns: expiryNs,
    has_admin_scope: hasAdminScope,
  });
  return deepFreeze({
    user: { id: user.id, source: user.source },
    token: {
      jti: claims.jti,
      client_id: claims.client_id,
      subject: claims.sub,
      audience: Array.isArray(claims.aud) ? [...claims.aud] : [claims.aud],
      scopes: tokenScopes,
      issued_at_ns: BigInt(claims.iat) * NS_PER_S,
      expiry_ns: expiryNs,
      dpop_bound: claims.cnf?.jkt !== undefined,
    },
    delegation: {
      delegated: user.source === 'delegation',
      depth: delegationDepth(claims),
      chain: structuredClone(user.chain),
      // Stable names (docs/delegation.md "What policies and monitors see"): the user at the
      // chain's root (the agent's owner when the agent acts for itself), each actor, the chain id.
      root_user: user.source === 'delegation' && !isPersonClientAgent(agent) ? chain.rootUser : user.id,
      root_issuer: chain.rootIssuer,
      actors: structuredClone(chain.actors),
      chain_id: chain.chainId,
    },
    agent: [agentPart(false), agentPart(true)] as const,
    scopes: new Set(tokenScopes),
    // Links are made `{sub, client_id}`; RFC 8785 writes `client_id` first. In that order the
    // audit log hashes the entry's actor without sorting a copy of it on every decision.
    actorChain: user.chain.map((link) => (link.client_id === undefined ? { sub: link.sub } : { client_id: link.client_id, sub: link.sub })),
  });
}

/**
 * The chain of the user the agent acts for (delegatingUser's), shared and frozen like the
 * input's per-token parts, its links' members in canonical order: for the decision entry's actor.
 */
export function actorChain(agent: Agent, claims: AccessTokenClaims): readonly DelegationLink[] {
  return subjectParts(agent, claims).actorChain;
}

/**
 * The input document. Times are int64 nanoseconds as bigint (the engine keeps them exact);
 * `loggable()` turns the document into plain JSON for the decision log. The parts that follow
 * from the agent and its token alone are shared, frozen objects (subjectParts): never mutate
 * an input.
 */
export function buildInput(agent: Agent, claims: AccessTokenClaims, request: DecisionRequest, env: InputEnvironment): Record<string, unknown> {
  const parts = subjectParts(agent, claims);
  const [toolApi, ...operation] = request.tool.split(':');
  const sensitivity = request.resource.sensitivity ?? null;
  const sensitivityRank = sensitivity !== null && isDataClassification(sensitivity) ? classificationRank(sensitivity) : UNLABELLED_RANK;
  const hasAdminScope = parts.scopes.has('admin') || parts.scopes.has(`${request.resource.type}:admin`);
  return {
    action: request.action,
    tool: request.tool,
    tool_api: toolApi,
    tool_operation: operation.length > 0 ? operation.join(':') : null,
    resource: {
      type: request.resource.type,
      id: request.resource.id,
      owner: request.resource.owner ?? null,
      sensitivity,
      sensitivity_rank: sensitivityRank,
    },
    context: request.context ?? {},
    agent: parts.agent[hasAdminScope ? 1 : 0],
    user: parts.user,
    token: parts.token,
    delegation: parts.delegation,
    human_approval: { exists: env.approval.exists, id: env.approval.id },
    time: timeInput(env.nowMs),
    caller: { kind: env.caller.kind, id: env.caller.id },
    classification_ranks: CLASSIFICATION_RANKS,
  };
}

/** loggable() copies of frozen input parts, made once and frozen themselves (so shareable). */
const loggableCopies = new WeakMap<object, unknown>();

/**
 * A JSON-safe copy for the decision log: bigint nanoseconds become numbers, and each object's
 * keys are inserted in sorted order — the order RFC 8785 writes them in, so the audit log
 * hashes and stores the copy as it is instead of sorting a copy of its own (audit/canonical.ts).
 * A frozen object (the shared parts of an input) is copied once and its frozen copy shared:
 * never mutate what this returns (copy it first, as the decision-log policy's mask does).
 */
export function loggable(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || typeof value !== 'object') return value;
  const frozen = Object.isFrozen(value);
  if (frozen) {
    const known = loggableCopies.get(value);
    if (known !== undefined) return known;
  }
  let copy: unknown;
  if (Array.isArray(value)) copy = value.map(loggable);
  else {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) out[key] = loggable(record[key]);
    copy = out;
  }
  if (frozen) loggableCopies.set(value, Object.freeze(copy));
  return copy;
}
