/** Seed rule 1: the calendar agent reads the delegating user's calendar, and nobody else's. */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { mcpAgentFetch } from '@mandate/sdk/mcp';
import { need, OTHER_USER, OWNER, type DemoStep } from '../context.js';
import { connectMcp, toolJson } from '../mcp-client.js';
import { failed, ok } from '../narrative.js';

export const mcpReadStep: DemoStep = {
  id: 'mcp-read',
  title: "It reads Alice's calendar through MCP (and is refused Bob's)",
  async run(ctx) {
    const agent = need(ctx.agent, 'the registered agent');
    const calendar = need(ctx.calendar, 'the calendar MCP server');
    const client = await connectMcp(ctx, calendar.url, 'calendar-assistant', mcpAgentFetch(agent.auth, { resource: calendar.url, scope: ['calendar:read'] }));
    ctx.mcp = client;
    const tools = await client.listTools();
    ctx.narrator.say(`MCP initialize + tools/list over Streamable HTTP: ${tools.tools.map((t) => t.name).join(', ')}`);

    const read = await client.callTool({ name: 'list_events', arguments: { calendar: OWNER } });
    const events = toolJson<{ id: string; title: string }[]>(read);
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
