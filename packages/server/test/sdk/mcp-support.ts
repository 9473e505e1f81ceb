import { parseWwwAuthenticate } from '@mandate/sdk';

export { APPROVAL_META_KEY, MCP_GUARD_ERRORS, mcpAgentFetch } from '@mandate/sdk/mcp';

/** The auth-params of the response's challenge with this scheme (undefined when there is none). */
export function parseWwwAuthenticateFor(response: { headers: Headers }, scheme: string): Record<string, string> | undefined {
  return parseWwwAuthenticate(response.headers.get('www-authenticate')).find((c) => c.scheme.toLowerCase() === scheme.toLowerCase())?.params;
}
