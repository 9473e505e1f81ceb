/**
 * The engine's errors, with OPA's stable codes. Parse and compile errors come from the
 * compiler (`rego_*`), evaluation errors from the evaluator (`eval_*`).
 */
import type { Loc } from './ast.js';

export const REGO_ERROR_CODES = {
  parse: 'rego_parse_error',
  compile: 'rego_compile_error',
  unsafeVar: 'rego_unsafe_var_error',
  recursion: 'rego_recursion_error',
  type: 'rego_type_error',
  evalType: 'eval_type_error',
  evalBuiltin: 'eval_builtin_error',
  evalConflict: 'eval_conflict_error',
  /** Step or time limit exceeded, or cancelled. */
  evalCancel: 'eval_cancel_error',
} as const;

export type RegoErrorCode = (typeof REGO_ERROR_CODES)[keyof typeof REGO_ERROR_CODES];

export class RegoError extends Error {
  override readonly name = 'RegoError';
  constructor(
    readonly code: RegoErrorCode,
    readonly detail: string,
    readonly loc?: Loc,
  ) {
    super(`${loc ? `${loc.file}:${loc.row}: ` : ''}${code}: ${detail}`);
  }
}

/** Several compile errors at once (OPA reports them together). */
export class RegoErrors extends Error {
  override readonly name = 'RegoErrors';
  constructor(readonly errors: RegoError[]) {
    super(errors.map((e) => e.message).join('\n'));
  }
  get code(): RegoErrorCode {
    return this.errors[0]?.code ?? REGO_ERROR_CODES.compile;
  }
}

export function parseError(detail: string, loc: Loc): RegoError {
  return new RegoError(REGO_ERROR_CODES.parse, detail, loc);
}

export function compileError(detail: string, loc?: Loc, code: RegoErrorCode = REGO_ERROR_CODES.compile): RegoError {
  return new RegoError(code, detail, loc);
}
