/**
 * The agent's side of a guarded MCP server: a fetch for the MCP SDK's Streamable HTTP client
 * transport (`new StreamableHTTPClientTransport(url, { fetch: mcpAgentFetch(agent, …) })`). It
 * sends the agent's token for the server's canonical URI (RFC 8707 `resource`), and does the
 * step-up the MCP authorization spec describes: on `403` with `Bearer error="insufficient_scope",
 * scope="…"` it gets a token with those scopes added (still bounded by what the agent is
 * registered for) and repeats the request once. Refreshing a revoked or expired token (401) is
 * the authorized fetch's job.
 */
import type { AgentAuthService } from '../agent/auth-service.js';
import { parseWwwAuthenticate } from '../shared/www-authenticate.js';

export interface McpAgentFetchOptions {
  /** The MCP server's canonical URI (its protected resource metadata `resource`). */
  resource: string;
  /** Scopes to ask for first (typically the server's 401 `scope` or metadata). */
  scope: readonly string[];
}

/** The scopes a 403 step-up challenge asks for, or undefined when it is not one. */
export function stepUpScopes(response: Response): string[] | undefined {
  if (response.status !== 403) return undefined;
  const bearer = parseWwwAuthenticate(response.headers.get('www-authenticate')).find((c) => c.scheme.toLowerCase() === 'bearer');
  if (bearer?.params.error !== 'insufficient_scope' || !bearer.params.scope) return undefined;
  return bearer.params.scope.split(' ').filter(Boolean);
}

/** A fetch with the agent's token for the resource, stepping up scope when the server asks. */
export function mcpAgentFetch(agent: AgentAuthService, options: McpAgentFetchOptions): (input: string | URL, init?: RequestInit) => Promise<Response> {
  // Widened scopes are kept, as the MCP SDK's own OAuth client does after a step-up.
  let scopes = [...new Set(options.scope)];
  return async (input, init) => {
    const base = new Request(input, init);
    const response = await agent.fetch(base.clone(), undefined, { resource: options.resource, scope: scopes });
    const wanted = stepUpScopes(response);
    if (!wanted) return response;
    const widened = [...new Set([...scopes, ...wanted])];
    if (widened.length === scopes.length) return response;
    scopes = widened;
    await response.body?.cancel();
    return agent.fetch(base.clone(), undefined, { resource: options.resource, scope: scopes });
  };
}
