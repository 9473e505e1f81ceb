/**
 * Evaluation of a policy package and of a replayed decision, with no server dependencies: the
 * decision point runs it in process, the sandbox's worker thread (sandbox-worker.ts) runs it for
 * what-if replay. Keep the imports light: the worker loads this file and what it imports.
 */
import { fromJSON, RObject, type PreparedPolicy } from '@mandate/rego';
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
  const doc = active.prepared.evaluate(`data.${pkg}`, { input: fromJSON(input), data: active.data, nowNs, limits });
  const at = (rule: string) => (doc instanceof RObject ? doc.get(rule) : undefined);
  return readResult({ allow: at('allow'), deny: at('deny'), requireApproval: at('require_approval'), obligations: at('obligations') });
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
