/**
 * Seed, "The Delegation Principle": the assistant (A) spawns a read-only calendar sub-agent (B),
 * which spawns a single-event lookup sub-sub-agent (C). Each level gives up at least half of its
 * parent's (resource, action) pairs — A's 4, B's 2, C's 1 — and depth 3 waits for a human's
 * approval before C gets its token. C's lookup through MCP carries the three-actor chain; a
 * call beyond its one scope is refused before any decision. Needs the delegation context (issue 12).
 */
import { AgentAuthService, AuthorizationPendingError, OAuthError } from '@mandate/sdk';
import { CAPABILITIES } from '../capabilities.js';
import { CALENDAR_SCOPES } from '../calendar-mcp.js';
import { need, OWNER, type DemoContext, type DemoStep } from '../context.js';
import { actorsOf, delegatedClaims, describeDelegated } from '../delegated-token.js';
import { bearerFetch, connectMcp, toolJson } from '../mcp-client.js';
import { failed, ok, skipped } from '../narrative.js';
import { CALENDAR_ASSISTANT } from './register.js';

const READ_ONLY = [CALENDAR_SCOPES.read, CALENDAR_SCOPES.eventRead];

/** Registers a sub-agent of Alice's (admin API) and returns its OAuth client. */
async function registerSubAgent(ctx: DemoContext, name: string, scopes: string[]): Promise<{ id: string; auth: AgentAuthService }> {
  const registered = await ctx.mandate.api('POST', '/v1/agents', { ...CALENDAR_ASSISTANT, name, scopes, tools: ['google-calendar-api'] });
  if (registered.status !== 201) throw new Error(`POST /v1/agents (${name}) answered ${registered.status}: ${JSON.stringify(registered.body)}`);
  const { agent, client_id: clientId, client_secret: clientSecret } = registered.body;
  ctx.narrator.say(`registered ${agent.id} "${name}", scopes ${scopes.join(' ')}`);
  return { id: agent.id, auth: new AgentAuthService({ issuer: ctx.mandate.url, clientId, clientSecret }) };
}

/** The refusal an exchange answered (its OAuth error), or a failure if it was granted. */
async function refusal(exchange: Promise<unknown>): Promise<OAuthError> {
  const outcome = await exchange.then(
    () => new Error('the exchange was granted'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof OAuthError)) throw outcome;
  return outcome;
}

export const subAgentsStep: DemoStep = {
  id: 'sub-agents',
  title: 'It spawns a read-only sub-agent and a single-event sub-sub-agent (depth 3 needs approval)',
  async run(ctx) {
    if (!(await CAPABILITIES.delegation.offered(ctx))) return skipped(CAPABILITIES.delegation.name);
    const parentToken = need(ctx.delegatedToken, "the token Alice delegated to the assistant");
    const calendar = need(ctx.calendar, 'the calendar MCP server');
    const approver = need(ctx.approver, 'the approver');
    const { mandate, narrator } = ctx;

    const reader = await registerSubAgent(ctx, 'calendar-reader', READ_ONLY);
    // C may register both reads: the reduction rule is what keeps its token to one.
    const lookup = await registerSubAgent(ctx, 'event-lookup', READ_ONLY);

    const b = await reader.auth.delegate({ subjectToken: parentToken, scopes: READ_ONLY, audience: calendar.url });
    narrator.say(`B exchanges A's token for read-only calendar (2 of A's 4 pairs) → ${describeDelegated(b.accessToken)}`);

    const tooWide = await refusal(lookup.auth.delegate({ subjectToken: b.accessToken, scopes: READ_ONLY, audience: calendar.url }));
    narrator.say(`C asks for B's two reads → ${tooWide.code}: ${tooWide.description?.split(':')[0]}`);
    if (!tooWide.description?.startsWith('[insufficient_reduction]')) return failed(`C's wide exchange was refused for another reason: ${tooWide.message}`);

    const single = { subjectToken: b.accessToken, scopes: [CALENDAR_SCOPES.eventRead], audience: calendar.url };
    const pending = await refusal(lookup.auth.delegate(single));
    if (!(pending instanceof AuthorizationPendingError) || !pending.approvalId) return failed(`C's exchange at depth 3 answered ${pending.message}, not an approval to wait for`);
    narrator.say(`C asks for ${CALENDAR_SCOPES.eventRead} alone → ${pending.code}, ${pending.approvalId}: a chain 3 deep needs a human`);
    const approved = await mandate.api('POST', `/v1/approvals/${pending.approvalId}/approve`, { reason: 'one event lookup for Alice' }, approver.token);
    if (approved.status !== 200) return failed(`approving the delegation answered ${approved.status}: ${JSON.stringify(approved.body)}`);
    narrator.say(`${approver.email} approves ${pending.approvalId}; C retries with approval_id`);
    const c = await lookup.auth.delegate({ ...single, approvalId: pending.approvalId });
    const claims = delegatedClaims(c.accessToken);
    ctx.subSubAgentToken = c.accessToken;
    narrator.say(`C's token → ${describeDelegated(c.accessToken)}, expires with its parents`);
    if (claims.delegation.depth !== 3 || actorsOf(claims).join() !== [lookup.id, reader.id, delegatedClaims(parentToken).act?.sub].join()) return failed(`C's token does not carry the chain: ${JSON.stringify(claims)}`);

    const client = await connectMcp(ctx, calendar.url, 'event-lookup', bearerFetch(c.accessToken));
    const event = toolJson<{ title: string } | null>(await client.callTool({ name: 'get_event', arguments: { calendar: OWNER, event_id: 'evt-standup' } }));
    const record = calendar.calls.at(-1);
    narrator.say(`C: get_event ${OWNER} evt-standup → ${record?.outcome} "${event?.title}"; the guard records acting ${record?.delegation.map((actor) => actor.sub).join(' ← ')} for ${record?.subject}`);
    if (record?.outcome !== 'allow' || record.delegation.length !== 3) return failed(`C's lookup was not allowed with the three-actor chain: ${JSON.stringify(record)}`);

    await client.callTool({ name: 'list_events', arguments: { calendar: OWNER } }).catch(() => undefined);
    const beyond = calendar.calls.at(-1);
    narrator.say(`C: list_events → ${beyond?.outcome} (its token holds ${CALENDAR_SCOPES.eventRead} only); nothing was decided or run`);
    if (beyond?.name !== 'list_events' || beyond.outcome !== 'insufficient_scope') return failed(`C's list_events was not refused for scope: ${JSON.stringify(beyond)}`);
    return ok(`A (4 pairs) → B read-only (2) → C one event (1); depth 3 approved by ${approver.email}; C's lookup carries the chain`);
  },
};
