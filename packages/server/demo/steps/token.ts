/** Seed, "Tier 1": client credentials, a short-lived token bound to one audience (RFC 8707). */
import { decodeJwt } from 'jose';
import { need, type DemoStep } from '../context.js';
import { ok } from '../narrative.js';

export const tokenStep: DemoStep = {
  id: 'token',
  title: 'The assistant gets a short-lived token for the calendar server',
  async run(ctx) {
    const agent = need(ctx.agent, 'the registered agent');
    const calendar = need(ctx.calendar, 'the calendar MCP server');
    const set = await agent.auth.getTokenSet({ resource: calendar.url, scope: 'calendar:read' });
    const claims = decodeJwt(set.accessToken);
    const lifetime = (claims.exp ?? 0) - (claims.iat ?? 0);
    ctx.narrator.say(`POST /oauth2/token grant_type=client_credentials scope=calendar:read resource=${calendar.url}`);
    ctx.narrator.say(`access token (JWT, at+jwt): sub ${claims.sub}, aud ${String(claims.aud)}, scope "${String(claims.scope)}", lifetime ${lifetime} s`);
    ctx.narrator.say('only calendar:read for now: it will ask for more when a call needs it');
    return ok(`token for ${String(claims.aud)} with scope ${String(claims.scope)}, expires in ${lifetime} s`);
  },
};
