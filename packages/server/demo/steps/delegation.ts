/**
 * Seed, "Delegation Chains": Alice delegates her calendar to the assistant by token exchange
 * (RFC 8693). Mandate trusts Alice's company IdP (oidc-provider on a loopback port, demo/company-idp.ts);
 * the assistant exchanges Alice's ID token, with its own client authentication, for a token whose
 * `sub` is Alice and whose `act` names the assistant, bound to the calendar MCP server. Its MCP
 * calls then carry the chain: the guard's record names Alice and the acting assistant. Needs the
 * delegation context (issue 12): until the server lists the token-exchange grant, skipped.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { CAPABILITIES } from '../capabilities.js';
import { CALENDAR_SCOPES } from '../calendar-mcp.js';
import { IDP_CLIENT, startCompanyIdp } from '../company-idp.js';
import { need, OTHER_USER, OWNER, type DemoStep } from '../context.js';
import { delegatedClaims, describeDelegated, ID_TOKEN_TYPE } from '../delegated-token.js';
import { bearerFetch, connectMcp, toolJson } from '../mcp-client.js';
import { failed, ok, skipped } from '../narrative.js';

export const delegationStep: DemoStep = {
  id: 'delegation',
  title: 'Alice delegates her calendar to the assistant',
  async run(ctx) {
    if (!(await CAPABILITIES.delegation.offered(ctx))) return skipped(CAPABILITIES.delegation.name);
    const agent = need(ctx.agent, 'the registered agent');
    const calendar = need(ctx.calendar, 'the calendar MCP server');
    const { mandate, narrator } = ctx;

    const idp = await startCompanyIdp();
    ctx.idp = idp;
    ctx.cleanups.push(() => idp.stop());
    const trusted = await mandate.api('POST', '/v1/idps', { issuer: idp.issuer, jwks_uri: idp.jwksUri, audiences: [IDP_CLIENT.id], name: 'Example Corp IdP' });
    if (trusted.status !== 201) return failed(`POST /v1/idps answered ${trusted.status}: ${JSON.stringify(trusted.body)}`);
    narrator.say(`the admin trusts Alice's company IdP (oidc-provider at ${idp.issuer}): POST /v1/idps, users' ID tokens for audience ${IDP_CLIENT.id}`);
    const idToken = await idp.signIn(OWNER);
    narrator.say(`Alice signs in there: an ID token for ${OWNER}, signed with the key the IdP publishes at ${idp.jwksUri}`);

    const scopes = Object.values(CALENDAR_SCOPES);
    const delegated = await agent.auth.delegate({ subjectToken: idToken, subjectTokenType: ID_TOKEN_TYPE, scopes, audience: calendar.url });
    const claims = delegatedClaims(delegated.accessToken);
    narrator.say(`the assistant exchanges it: POST /oauth2/token grant_type=…:token-exchange subject_token=<Alice's ID token> resource=${calendar.url}`);
    narrator.say(`delegated token: ${describeDelegated(delegated.accessToken)}, chain ${claims.delegation.chain_id}`);
    if (claims.sub !== OWNER || claims.act?.sub !== agent.id || claims.delegation.depth !== 1) return failed(`the delegated token does not name Alice and the assistant: ${JSON.stringify(claims)}`);
    ctx.delegatedToken = delegated.accessToken;

    const client = await connectMcp(ctx, calendar.url, 'calendar-assistant for alice', bearerFetch(delegated.accessToken));
    const events = toolJson<{ title: string }[]>(await client.callTool({ name: 'list_events', arguments: { calendar: OWNER } }));
    const record = calendar.calls.at(-1);
    narrator.say(`list_events ${OWNER} with it → ${record?.outcome}: ${events.map((event) => `"${event.title}"`).join(', ')}; the guard records subject ${record?.subject}, acting ${record?.delegation.map((actor) => actor.sub).join(' ← ')}`);
    if (record?.outcome !== 'allow' || record.subject !== OWNER || record.delegation[0]?.sub !== agent.id) return failed(`the delegated read was not allowed with the chain: ${JSON.stringify(record)}`);

    const crossUser = await client.callTool({ name: 'list_events', arguments: { calendar: OTHER_USER } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (!(crossUser instanceof McpError)) return failed(`the token Alice delegated read ${OTHER_USER}'s calendar`);
    narrator.say(`list_events ${OTHER_USER} with it → ${(crossUser.data as { reasons: string[] }).reasons.join(', ')}: the chain's root user is Alice`);
    return ok(`the assistant acts for ${OWNER} (sub ${claims.sub}, act ${agent.id}, depth 1), and its MCP calls carry the chain`);
  },
};
