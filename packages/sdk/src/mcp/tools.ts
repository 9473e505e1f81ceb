/**
 * The declared mapping from an MCP tool call to a Mandate decision request: which `tool` and
 * `action` a call is, which `resource` its arguments touch, which `context` they add, and which
 * scopes a token must carry to call it at all. A tool without a declaration is refused (deny by
 * default): the guard never guesses what a call does.
 */
import type { ResourceRef } from '../api/authorize.js';
import type { VerifiedAccessToken } from '../verifier/claims.js';

export type ToolArguments = Record<string, unknown>;

export interface GuardedTool {
  /** The decision point's `tool`, `<api>[:<operation>]`, e.g. `google-calendar-api:events.delete`. */
  tool: string;
  /** `read`, `write`, `delete`, `admin` or a finer verb. */
  action: string;
  /** What the call touches, from its arguments (and the caller, e.g. "my own calendar"). Throw on arguments that name nothing. */
  resource(args: ToolArguments, caller: VerifiedAccessToken): ResourceRef;
  /** Facts for the policy (`input.context`); an approval is bound to them, so keep them deterministic. */
  context?(args: ToolArguments, caller: VerifiedAccessToken): Record<string, unknown>;
  /** Scopes the token must carry: without them the call is a 403 `insufficient_scope` naming them (step-up). */
  scopes?: readonly string[];
}

/** A tool call's decision request, or why the arguments could not be mapped. */
export type MappedCall =
  | { ok: true; action: string; tool: string; resource: ResourceRef; context?: Record<string, unknown> }
  | { ok: false; message: string };

/** Applies a declaration to one call's arguments; a throwing mapper becomes `{ok: false}`. */
export function mapToolCall(declaration: GuardedTool, args: ToolArguments, caller: VerifiedAccessToken): MappedCall {
  try {
    const resource = declaration.resource(args, caller);
    const context = declaration.context?.(args, caller);
    return { ok: true, action: declaration.action, tool: declaration.tool, resource, ...(context ? { context } : {}) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** The scopes a declaration requires that the token lacks. */
export function missingScopes(declaration: GuardedTool, token: VerifiedAccessToken): string[] {
  return (declaration.scopes ?? []).filter((scope) => !token.hasScope(scope));
}
