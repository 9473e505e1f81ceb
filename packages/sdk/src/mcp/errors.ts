/**
 * The JSON-RPC errors a guarded MCP server answers for a refused tool call, one row per cause.
 * Codes sit in JSON-RPC's implementation-defined server range (-32000..-32099), away from the
 * ones MCP itself uses (-32002 resource not found, -32042 URL elicitation); `data.error` is the
 * stable name clients switch on, and `data` carries the decision (reasons, decision_id, and
 * `approval_id` for approvals).
 */
export const MCP_GUARD_ERRORS = {
  access_denied: { code: -32050, message: 'Mandate denied this tool call' },
  approval_required: { code: -32051, message: 'a human must approve this tool call: retry it with _meta["mandate/approval_id"] once approved' },
  decision_unavailable: { code: -32052, message: 'the authorization decision point could not be reached' },
  tool_not_guarded: { code: -32053, message: 'this tool has no declared mapping to a Mandate decision, so it may not be called' },
  invalid_arguments: { code: -32602, message: 'the arguments do not name what the tool acts on' },
  batch_not_allowed: { code: -32600, message: 'tool calls must be sent one per request, not in a JSON-RPC batch' },
  parse_error: { code: -32700, message: 'the body is not valid JSON' },
} as const satisfies Record<string, { code: number; message: string }>;

export type McpGuardErrorName = keyof typeof MCP_GUARD_ERRORS;

/** Where a client puts an approved request's id when it repeats the call (`params._meta`). */
export const APPROVAL_META_KEY = 'mandate/approval_id';

/** A JSON-RPC error response for request `id`. */
export function jsonRpcError(id: unknown, name: McpGuardErrorName, data: Record<string, unknown> = {}, detail?: string): Record<string, unknown> {
  const row = MCP_GUARD_ERRORS[name];
  return { jsonrpc: '2.0', id: id ?? null, error: { code: row.code, message: detail ? `${row.message}: ${detail}` : row.message, data: { error: name, ...data } } };
}
