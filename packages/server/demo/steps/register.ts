/** Seed, "Agent Identity Registry": the owner registers the calendar assistant with its purpose, tools and ceiling. */
import { AgentAuthService } from '@mandate/sdk';
import { CALENDAR_SCOPES } from '../calendar-mcp.js';
import { OWNER, type DemoStep } from '../context.js';
import { failed, ok } from '../narrative.js';

export const CALENDAR_ASSISTANT = {
  name: 'calendar-assistant-prod-v2',
  purpose: 'calendar-management',
  owner: OWNER,
  // Its calendar and its events, read and delete: four (resource, action) pairs, so two levels of
  // sub-agents can each give up half (docs/delegation.md, the narrowing measure); and reading
  // the calendar's database through short-lived credentials (tool `db`, docs/secrets.md).
  scopes: [...Object.values(CALENDAR_SCOPES), 'database:read'],
  tools: ['google-calendar-api', 'db'],
  data_classification: 'internal',
  environment: 'production',
};

const APPROVER = { id: 'op-dana', email: 'dana@example.com', roles: ['approver'] };

export const registerStep: DemoStep = {
  id: 'register',
  title: 'Alice registers her calendar assistant',
  async run(ctx) {
    const { mandate, narrator } = ctx;
    const registered = await mandate.api('POST', '/v1/agents', CALENDAR_ASSISTANT);
    if (registered.status !== 201) return failed(`POST /v1/agents answered ${registered.status}: ${JSON.stringify(registered.body)}`);
    const { agent, client_id: clientId, client_secret: clientSecret } = registered.body;
    narrator.say(`POST /v1/agents → ${agent.id} "${CALENDAR_ASSISTANT.name}", owner ${OWNER}, purpose ${CALENDAR_ASSISTANT.purpose}`);
    narrator.say(`scopes ${CALENDAR_ASSISTANT.scopes.join(' ')}, tools ${CALENDAR_ASSISTANT.tools.join(', ')}, data up to "${CALENDAR_ASSISTANT.data_classification}", status ${agent.status}`);
    narrator.say(`client id ${clientId}; the client secret is shown this once and kept by the agent only`);
    ctx.agent = { id: agent.id, clientId, clientSecret, auth: new AgentAuthService({ issuer: mandate.url, clientId, clientSecret }) };

    const operator = await mandate.api('POST', '/v1/operators', APPROVER);
    if (operator.status !== 201) return failed(`POST /v1/operators answered ${operator.status}: ${JSON.stringify(operator.body)}`);
    ctx.approver = { email: APPROVER.email, token: operator.body.token };
    narrator.say(`${APPROVER.email} joins as an approver (Alice owns the agent, so she may not approve its requests)`);
    return ok(`agent ${agent.id} registered and active`);
  },
};
