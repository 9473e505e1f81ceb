/**
 * @mandate/rego: a Rego engine (OPA's policy language) in TypeScript. Compile modules once
 * into a PreparedPolicy, then evaluate document refs or queries many times (OPA's
 * PreparedEvalQuery):
 *
 *   const policy = compileModules({ 'authz.rego': text });
 *   const allowed = policy.evaluate('data.mandate.authz.allow', { input: parseJSON(body), nowNs });
 *   const rows = policy.query('data.mandate.authz.deny[x]', { input });
 *
 * This file is the package's whole public API; everything else is internal.
 */

// Parse, compile, prepare, evaluate.
export { compileModules, PreparedPolicy, type CompileOptions, type QueryRow } from './policy.js';
export { parseModule, parseQuery, type ParseOptions, type RegoVersion } from './parser.js';
export { rewriteV0ToV1 } from './v0-to-v1.js';
export type { Expr, Module } from './ast.js';
export type { CompiledQuery, RuleTree } from './compile.js';
export type { RuleNode } from './ir.js';

// Evaluation options and limits.
export { DEFAULT_LIMITS, type EvalLimits, type EvalMetrics, type EvalOptions } from './eval.js';

// Values and their JSON form.
export { BigNum, compare, equals, fromJSON, parseJSON, RObject, RSet, toJS, toJSON, type Value } from './value.js';

// Errors, with OPA's codes.
export { REGO_ERROR_CODES, RegoError, RegoErrors, type RegoErrorCode } from './errors.js';

// The builtin registry: look builtins up, list them, add your own.
export {
  allBuiltins,
  BuiltinError,
  BuiltinTypeError,
  lookupBuiltin,
  registerBuiltins,
  type ArgType,
  type BuiltinContext,
  type BuiltinDef,
  type BuiltinImpl,
} from './builtins/registry.js';
