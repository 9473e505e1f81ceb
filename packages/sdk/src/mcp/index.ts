/**
 * @mandate/sdk/mcp: the MCP guard, for servers built with the official TypeScript MCP SDK
 * (`@modelcontextprotocol/sdk`, Streamable HTTP transport). A separate entry point so the core
 * SDK never loads MCP code; the MCP SDK is an optional peer dependency of @mandate/sdk. The RFC 9728
 * helpers (protectedResourceMetadata and friends) are the core SDK's: import them from @mandate/sdk.
 */
export { McpGuard, mcpGuard, mandateCallOf, type McpGuardOptions, type McpHandler, type GuardAuthInfo, type MandateCall, type ToolCallRecord } from './guard.js';
export { mapToolCall, missingScopes, type GuardedTool, type ToolArguments, type MappedCall } from './tools.js';
export { mcpAgentFetch, stepUpScopes, type McpAgentFetchOptions } from './agent-fetch.js';
export { MCP_GUARD_ERRORS, APPROVAL_META_KEY, jsonRpcError, type McpGuardErrorName } from './errors.js';
