/** The calendar API, served over MCP, is registered as a resource server and put behind the Mandate guard. */
import { protectedResourceMetadataUrl } from '@mandate/sdk';
import { CALENDAR_SCOPES, startCalendarMcp } from '../calendar-mcp.js';
import type { DemoStep } from '../context.js';
import { failed, ok } from '../narrative.js';

export const mcpServerStep: DemoStep = {
  id: 'mcp-server',
  title: 'The calendar MCP server goes behind Mandate',
  async run(ctx) {
    const { mandate, narrator } = ctx;
    const calendar = await startCalendarMcp({
      issuer: mandate.url,
      register: async (audience) => {
        const scopes = Object.values(CALENDAR_SCOPES);
        const res = await mandate.api('POST', '/v1/resource-servers', { name: 'calendar MCP server', audience, scopes });
        if (res.status !== 201) throw new Error(`POST /v1/resource-servers answered ${res.status}: ${JSON.stringify(res.body)}`);
        narrator.say(`POST /v1/resource-servers → audience ${audience}, scopes ${scopes.join(' ')}`);
        return { clientId: res.body.client_id, clientSecret: res.body.client_secret };
      },
    });
    ctx.calendar = calendar;
    ctx.cleanups.push(() => calendar.close());
    const metadataUrl = protectedResourceMetadataUrl(calendar.url);
    const metadata = await fetch(metadataUrl);
    if (metadata.status !== 200) return failed(`${metadataUrl} answered ${metadata.status}`);
    const document = (await metadata.json()) as { authorization_servers: string[]; scopes_supported: string[] };
    narrator.say(`tools list_events, get_event and delete_event, each mapped to a Mandate decision (google-calendar-api:events.list / events.get / events.delete)`);
    narrator.say(`RFC 9728 metadata at ${metadataUrl}: authorization server ${document.authorization_servers.join(', ')}, scopes ${document.scopes_supported.join(' ')}`);
    const anonymous = await fetch(calendar.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    narrator.say(`a request without a token: ${anonymous.status}, WWW-Authenticate: ${anonymous.headers.get('www-authenticate')}`);
    if (anonymous.status !== 401) return failed(`an anonymous request answered ${anonymous.status}, not 401`);
    return ok(`calendar MCP server guarded at ${calendar.url}`);
  },
};
