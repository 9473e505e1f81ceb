/**
 * Seed rule 2, "deny all delete operations without human approval", over MCP: the delete first
 * needs the calendar:delete scope (403 insufficient_scope → the agent steps up), then policy holds
 * it for a human; an approver approves through the API and the agent retries with the approval id.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { APPROVAL_META_KEY } from '@mandate/sdk/mcp';
import { need, OWNER, type DemoStep } from '../context.js';
import { failed, ok } from '../narrative.js';

export const mcpDeleteStep: DemoStep = {
  id: 'mcp-delete',
  title: 'It deletes an event: more scope, then a human says yes',
  async run(ctx) {
    const client = need(ctx.mcp, 'the connected MCP client');
    const calendar = need(ctx.calendar, 'the calendar MCP server');
    const approver = need(ctx.approver, 'the approver');
    const args = { calendar: OWNER, event_id: 'evt-dentist' };

    const held = await client.callTool({ name: 'delete_event', arguments: args }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const stepUp = calendar.calls.find((call) => call.name === 'delete_event' && call.outcome === 'insufficient_scope');
    if (stepUp) ctx.narrator.say(`delete_event → 403 insufficient_scope: the token lacks calendar:delete; the agent gets a token with "calendar:read calendar:delete"`);
    if (!(held instanceof McpError)) return failed('the delete was not held');
    const data = held.data as { error: string; approval_id?: string; reasons: string[] };
    if (data.error !== 'approval_required' || !data.approval_id) return failed(`the delete answered ${data.error} (${data.reasons.join(', ')})`);
    ctx.narrator.say(`delete_event → approval_required (${data.reasons.join(', ')}): MCP error ${held.code} carrying ${data.approval_id}; nothing deleted`);

    const pending = await ctx.mandate.api('GET', '/v1/approvals?status=pending', undefined, approver.token);
    ctx.narrator.say(`${approver.email} sees ${pending.body.items.length} pending request(s) and approves ${data.approval_id}`);
    const approved = await ctx.mandate.api('POST', `/v1/approvals/${data.approval_id}/approve`, { reason: 'the dentist appointment moved' }, approver.token);
    if (approved.status !== 200) return failed(`approving answered ${approved.status}: ${JSON.stringify(approved.body)}`);

    const result = await client.callTool({ name: 'delete_event', arguments: args, _meta: { [APPROVAL_META_KEY]: data.approval_id } });
    const text = (result.content as { text: string }[])[0]!.text;
    ctx.narrator.say(`delete_event retried with _meta["${APPROVAL_META_KEY}"] → allow: ${text}`);
    if (calendar.events(OWNER).some((event) => event.id === args.event_id)) return failed('the event is still there');
    return ok(`${stepUp ? 'stepped up to calendar:delete, ' : ''}held for approval, approved by ${approver.email}, retried and deleted`);
  },
};
