/**
 * The demo's MCP clients: the official SDK's client over Streamable HTTP, connected to the
 * calendar MCP server with a given fetch — the agent's own (client credentials, step-up) or one
 * that presents a token the agent got by delegation. Each client is closed at the end.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { DemoContext } from './context.js';

type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export async function connectMcp(ctx: DemoContext, url: string, clientName: string, fetchWithToken: Fetch): Promise<Client> {
  const client = new Client({ name: clientName, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: fetchWithToken }));
  ctx.cleanups.push(() => client.close());
  return client;
}

/** A fetch that presents this one bearer token (a delegated token is not the agent's to refresh). */
export function bearerFetch(token: string): Fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
}

/** The text of a tool result's first content item, parsed as JSON. */
export function toolJson<T>(result: Record<string, unknown>): T {
  return JSON.parse((result.content as { text: string }[])[0]!.text) as T;
}
