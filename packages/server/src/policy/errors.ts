import { RegoError, RegoErrors } from '@mandate/rego';
import { MandateError, RateLimitedError } from '../shared/errors.js';

/** One compile error as OPA's REST API reports it. */
export interface OpaErrorDetail {
  code: string;
  message: string;
  location?: { file: string; row: number; col: number };
}

/**
 * A module set that does not parse or compile. The HTTP layer sends OPA's body for it:
 * `{"code":"invalid_parameter","message":"error(s) occurred while compiling module(s)","errors":[…]}`,
 * so OPA clients that print compile errors keep working.
 */
export class PolicyCompileError extends MandateError {
  /**
   * `hint`, when set, says what to do (e.g. the modules are Rego v0 and the server wants v1); it is
   * appended to OPA's message, so clients that print only the message show it too.
   */
  constructor(
    readonly errors: OpaErrorDetail[],
    readonly hint?: string,
  ) {
    super('invalid_parameter', 400, `error(s) occurred while compiling module(s)${hint ? `: ${hint}` : ''}`, { errors, ...(hint ? { hint } : {}) });
  }

  /** OPA's error body (plus `hint` when there is one). */
  opaBody(): Record<string, unknown> {
    return { code: 'invalid_parameter', message: this.message, errors: this.errors, ...(this.hint ? { hint: this.hint } : {}) };
  }

  static from(error: unknown, hint?: string): PolicyCompileError | null {
    const list = error instanceof RegoErrors ? error.errors : error instanceof RegoError ? [error] : null;
    if (!list) return null;
    return new PolicyCompileError(
      list.map((e) => ({
        code: e.code,
        message: e.detail,
        ...(e.loc ? { location: { file: e.loc.file, row: e.loc.row, col: e.loc.col } } : {}),
      })),
      hint,
    );
  }
}

/** Parse errors that Rego v1 gives for v0 syntax (OPA 1.x words them the same). */
const V0_SYNTAX = /`(if|contains)` keyword is required/;

/**
 * Why a module set refused as Rego v1 was refused, when it is Rego v0: the files whose errors are
 * v0 syntax, if the whole set compiles as v0. Otherwise undefined (the errors speak for themselves).
 */
export function regoV0Hint(error: unknown, compilesAsV0: () => boolean): string | undefined {
  const list = error instanceof RegoErrors ? error.errors : error instanceof RegoError ? [error] : [];
  const files = [...new Set(list.filter((e) => e.code === 'rego_parse_error' && V0_SYNTAX.test(e.detail)).map((e) => e.loc?.file ?? '?'))];
  if (files.length === 0 || !compilesAsV0()) return undefined;
  return (
    `${files.join(', ')} ${files.length === 1 ? 'looks' : 'look'} like Rego v0 (rule bodies without \`if\`, partial sets without \`contains\`, no \`import rego.v1\`) ` +
    `and this server accepts Rego v1 (policy.regoVersion: "v1"). Convert to v1: add \`import rego.v1\`, write \`if\` before every rule body and ` +
    `\`contains\` in partial set rules (\`p[x] { … }\` becomes \`p contains x if { … }\`), which \`mandate policy fmt --v0-v1 FILE\` does; or start the server with policy.regoVersion: "v0" ` +
    `(OPA's --v0-compatible) to accept v0 modules`
  );
}

/** An authorization request that names a policy package with no rules (400, not a silent deny). */
export class UnknownPackageError extends MandateError {
  constructor(pkg: string) {
    super('unknown_package', 400, `no policy defines package '${pkg}'`, { field: 'package', package: pkg });
  }
}

/**
 * A policy that fails while the data API evaluates it: a conflict, a builtin error under
 * strict-builtin-errors, or the step/time limit (`policy.maxSteps`, `policy.maxEvalMs`). The
 * request was fine and the server is healthy, so not a 500 (OPA says 500 internal_error): 422
 * with the engine's code and position, so the policy's author sees what to fix.
 */
export class PolicyEvaluationError extends MandateError {
  constructor(readonly errors: OpaErrorDetail[]) {
    super('policy_error', 422, errors.map((e) => `${e.location ? `${e.location.file}:${e.location.row}: ` : ''}${e.code}: ${e.message}`).join('; '), { errors });
  }

  /** OPA-shaped body: `{"code": "evaluation_error", "message", "errors": [{code, message, location?}]}`. */
  opaBody(): Record<string, unknown> {
    return { code: 'evaluation_error', message: this.message, errors: this.errors };
  }

  /** The evaluation error `error` is, or null when it is something else (a bug stays a 500). */
  static from(error: unknown): PolicyEvaluationError | null {
    if (!(error instanceof RegoError) || !error.code.startsWith('eval_')) return null;
    return new PolicyEvaluationError([
      { code: error.code, message: error.detail, ...(error.loc ? { location: { file: error.loc.file, row: error.loc.row, col: error.loc.col } } : {}) },
    ]);
  }
}

/**
 * `package` in an authorization request from a caller that may not choose it: the package
 * evaluated for an agent's action is the server's (`policy.decisionPackage`). Only an operator
 * with `policies:write` (who could change that package anyway) may name another.
 */
export class PackageNotAllowedError extends MandateError {
  /** `used`: the package this caller's decisions use; `bound` when an admin bound it to the calling resource server. */
  constructor(callerKind: string, used: string, bound = false) {
    const which = bound ? `the package an admin bound to this resource server, '${used}'` : `the server's package '${used}' (policy.decisionPackage)`;
    super(
      'package_not_allowed',
      403,
      `a ${callerKind.replace('_', ' ')} may not choose the policy package: decisions use ${which}; only an operator with policies:write may name another`,
      { field: 'package', rule: 'policy.decisionPackage', package: used },
    );
  }
}

/** `context` or `resource` of an authorization request over `policy.decisionInputMaxBytes` (413). */
export class DecisionInputTooLargeError extends MandateError {
  constructor(field: string, bytes: number, limit: number) {
    super('input_too_large', 413, `body.${field} is ${bytes} bytes as JSON; the limit is ${limit} (policy.decisionInputMaxBytes)`, {
      field: `body.${field}`,
      limit,
      rule: 'policy.decisionInputMaxBytes',
    });
  }
}

/** `context` or `resource` nested deeper than `policy.decisionInputMaxDepth` (400). */
export class DecisionInputTooDeepError extends MandateError {
  constructor(field: string, limit: number) {
    super('input_too_deep', 400, `body.${field} is nested more than ${limit} levels deep (policy.decisionInputMaxDepth)`, {
      field: `body.${field}`,
      limit,
      rule: 'policy.decisionInputMaxDepth',
    });
  }
}

/** Too many decisions for one agent (`policy.decisionsPerMinutePerAgent`): 429 with Retry-After. */
export class DecisionRateLimitedError extends RateLimitedError {
  constructor(retryAfterSeconds: number, perMinute: number) {
    super(retryAfterSeconds);
    this.message = `too many decisions for this agent (policy.decisionsPerMinutePerAgent: ${perMinute} per minute); retry after ${retryAfterSeconds} s`;
  }
}
