/** Seed rule 1: the calendar agent reads the delegating user's calendar, and nobody else's. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { mcpAgentFetch } from '@mandate/sdk/mcp';
import { need, OTHER_USER, OWNER, type DemoStep } from '../context.js';
import { failed, ok } from '../narrative.js';

export const mcpReadStep: DemoStep = {
  id: 'mcp-read',
  title: "It reads Alice's calendar through MCP (and is refused Bob's)",
  async run(ctx) {
    const agent = need(ctx.agent, 'the registered agent');
    const calendar = need(ctx.calendar, 'the calendar MCP server');
    const client = new Client({ name: 'calendar-assistant', version: '2.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(calendar.url), { fetch: mcpAgentFetch(agent.auth, { resource: calendar.url, scope: ['calendar:read'] }) }));
    ctx.mcp = client;
    ctx.cleanups.push(() => client.close());
    const tools = await client.listTools();
    ctx.narrator.say(`MCP initialize + tools/list over Streamable HTTP: ${tools.tools.map((t) => t.name).join(', ')}`);

    const read = await client.callTool({ name: 'list_events', arguments: { calendar: OWNER } });
    const events = JSON.parse((read.content as { text: string }[])[0]!.text) as { id: string; title: string }[];
    const allowed = calendar.calls.at(-1);
    ctx.narrator.say(`list_events ${OWNER} → ${allowed?.outcome} (decision ${allowed?.decisionId}): ${events.map((e) => `"${e.title}"`).join(', ')}`);
    if (allowed?.outcome !== 'allow') return failed('the read was not allowed');

    const refused = await client.callTool({ name: 'list_events', arguments: { calendar: OTHER_USER } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (!(refused instanceof McpError)) return failed(`reading ${OTHER_USER}'s calendar was not refused`);
    const data = refused.data as { error: string; reasons: string[] };
    ctx.narrator.say(`list_events ${OTHER_USER} → ${data.error} (${data.reasons.join(', ')}): MCP error ${refused.code}, the tool never ran`);
    return ok(`read ${events.length} events of ${OWNER}; ${OTHER_USER}'s calendar denied (${data.reasons.join(', ')})`);
  },
};
