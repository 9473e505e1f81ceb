/**
 * Evaluation of a policy package and of a replayed decision, with no server dependencies: the
 * decision point runs it in process, the sandbox's worker thread (sandbox-worker.ts) runs it for
 * what-if replay. Keep the imports light: the worker loads this file and what it imports.
 */
import { fromJSON, RObject, type PreparedPolicy, type Value } from '@mandate/rego';
import { UnknownPackageError } from './errors.js';
import { replayInput } from './logged-input.js';
import { decide, readResult, REASONS, type DecisionKind, type Outcome, type PolicyResult } from './outcome.js';

/** What evaluation needs of a policy: the compiled modules and the base data. */
export interface EvaluablePolicy {
  prepared: PreparedPolicy;
  data: RObject;
}

export interface EvalLimitSettings {
  maxSteps: number;
  timeoutMs: number;
}

export const DEFAULT_PACKAGE = 'mandate.authz';

/** Evaluates the package's four documents for one input. Throws UnknownPackageError, RegoError, PolicyShapeError. */
export function evaluatePackage(active: EvaluablePolicy, pkg: string, input: unknown, nowNs: bigint, limits: EvalLimitSettings): PolicyResult {
  const node = active.prepared.tree.node(pkg.split('.'), false);
  if (!node || !node.hasRules) throw new UnknownPackageError(pkg);
  // One evaluation of the whole package document: rules that others use (deny inside allow)
  // are computed once, where four separate queries would compute them again each time.
  const doc = active.prepared.evaluate(`data.${pkg}`, { input: inputValue(input), data: active.data, nowNs, limits });
  const at = (rule: string) => (doc instanceof RObject ? doc.get(rule) : undefined);
  return readResult({ allow: at('allow'), deny: at('deny'), requireApproval: at('require_approval'), obligations: at('obligations') });
}

/** Engine values of deep-frozen input members, converted once (inputValue). */
const frozenValues = new WeakMap<object, Value>();
/** Objects found not to be frozen all the way down: converted every time. */
const notDeepFrozen = new WeakSet<object>();

const isDeepFrozen = (value: unknown): boolean =>
  value === null || typeof value !== 'object' || (Object.isFrozen(value) && !(value instanceof Set) && !(value instanceof Map) && Object.values(value).every(isDeepFrozen));

/**
 * The input as an engine value. The decision point's input shares its per-token parts (agent,
 * user, token, delegation: policy/input.ts subjectParts) between every decision made with a
 * token, frozen all the way down; their engine values are made once and shared too, as the
 * policy's `data` is shared: the engine never changes a value it was given. Converting them on
 * every decision was a fifth of the evaluation's time. Anything not deep-frozen (replayed
 * inputs, the per-request members) is converted as it stands.
 */
export function inputValue(input: unknown): Value {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || Object.getPrototypeOf(input) !== Object.prototype) return fromJSON(input);
  const record = input as Record<string, unknown>;
  const value = new RObject();
  for (const key of Object.keys(record)) value.set(key, memberValue(record[key]));
  return value;
}

function memberValue(member: unknown): Value {
  if (member === null || typeof member !== 'object' || !Object.isFrozen(member) || notDeepFrozen.has(member)) return fromJSON(member);
  const known = frozenValues.get(member);
  if (known !== undefined) return known;
  if (!isDeepFrozen(member)) {
    notDeepFrozen.add(member);
    return fromJSON(member);
  }
  const converted = fromJSON(member);
  frozenValues.set(member, converted);
  return converted;
}

/** A decision as the audit log holds it (the part replay reads). */
export interface LoggedDecision {
  decision_id: string;
  decision: DecisionKind;
  reasons: string[];
  package?: string;
  now_ms: number;
  approval_refused?: string;
  input: Record<string, any>;
}

/** What the candidate decides for one logged decision's input, at the time it was made. */
export function decideAgain(candidate: EvaluablePolicy, limits: EvalLimitSettings, ranks: Record<string, number>, logged: LoggedDecision): Outcome {
  const pkg = logged.package ?? DEFAULT_PACKAGE;
  const nowNs = BigInt(logged.now_ms) * 1_000_000n;
  const input = replayInput(logged.input, logged.now_ms, ranks);
  try {
    const evaluated = evaluatePackage(candidate, pkg, input, nowNs, limits);
    return decide(evaluated, { exists: logged.input.human_approval?.exists === true, refused: logged.approval_refused ?? null });
  } catch (error) {
    return { decision: 'deny', reasons: [error instanceof UnknownPackageError ? 'unknown_package' : REASONS.policyError] };
  }
}
