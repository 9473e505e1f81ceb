/**
 * Seed, "Revocation: immediate on agent decommission": the owner retires the assistant
 * (deprecate, then decommission); its client secret stops working at once, and the calendar MCP
 * server refuses the token it still holds as soon as the revocation feed tells the guard — and,
 * when delegation ran, the sub-sub-agent's token too, since the assistant is in its chain
 * (cascade). The responses list what was taken back — client secret, tokens, tasks, leases — and
 * when the database step ran, the 60-second login it still held is dropped at once, not at its
 * expiry. Ends by verifying the audit chain.
 */
import { need, type DemoStep } from '../context.js';
import { loginAndQuery } from '../database.js';
import { failed, ok } from '../narrative.js';

/** How long the guard may take to learn of the revocation (docs/oauth.md: within 5 s), with margin. */
const FEED_WAIT_MS = 10_000;
const POLL_MS = 100;

export const decommissionStep: DemoStep = {
  id: 'decommission',
  title: 'Alice decommissions the assistant: everything it holds is revoked',
  async run(ctx) {
    const agent = need(ctx.agent, 'the registered agent');
    const calendar = need(ctx.calendar, 'the calendar MCP server');
    const { mandate, narrator } = ctx;
    const held = await agent.auth.getToken({ resource: calendar.url, scope: ['calendar:read'] });

    const deprecated = await mandate.api('POST', `/v1/agents/${agent.id}/deprecate`, { reason: 'replaced by v3' });
    const decommissioned = await mandate.api('POST', `/v1/agents/${agent.id}/decommission`, { reason: 'replaced by v3' });
    if (deprecated.status !== 200 || decommissioned.status !== 200) return failed(`deprecate/decommission answered ${deprecated.status}/${decommissioned.status}: ${JSON.stringify(decommissioned.body)}`);
    narrator.say(`POST /v1/agents/${agent.id}/deprecate, then /decommission → status ${decommissioned.body.agent?.status ?? decommissioned.body.status}`);
    // Deprecating already revoked the tokens; decommissioning names them again with the rest.
    const revoked = uniqueRevoked([...(deprecated.body.revoked ?? []), ...(decommissioned.body.revoked ?? [])]);
    if (revoked.length > 0) narrator.say(`revoked: ${revoked.map(describeRevoked).join('; ')}`);
    if (ctx.database) {
      const { db, held } = ctx.database;
      if (!revoked.some((item) => item.kind === 'lease' && item.id === held.leaseId)) return failed(`the database lease ${held.leaseId} is not among what decommissioning revoked`);
      const roleLeft = await db.inspect('SELECT 1 FROM pg_roles WHERE rolname = $1', [held.username]);
      const login = await loginAndQuery(db.port, held.username, held.password, 'SELECT 1');
      if (roleLeft.length > 0 || login.ok) return failed(`the database role ${held.username} outlived the decommission`);
      narrator.say(`its 60-second database login ${held.username} is gone at once (not at expiry): login refused (${login.code})`);
    }

    const refresh = await agent.auth.getTokenSet({ resource: calendar.url, forceRefresh: true }).then(
      () => 'a new token (wrong!)',
      (error: { code?: string; message?: string }) => error.code ?? error.message ?? 'refused',
    );
    narrator.say(`the agent asks for a new token → ${refresh}`);
    if (refresh.startsWith('a new token')) return failed('a decommissioned agent still got a token');

    const refusedAfter = await refusedByGuard(calendar.url, held);
    if (refusedAfter === undefined) return failed(`the calendar MCP server still accepted the old token after ${FEED_WAIT_MS} ms`);
    narrator.say(`the token it still held → 401 at the calendar MCP server (${refusedAfter < 5000 ? 'within 5 s' : `after ${refusedAfter} ms`}, by the revocation feed)`);
    if (ctx.subSubAgentToken) {
      const cascaded = await refusedByGuard(calendar.url, ctx.subSubAgentToken);
      if (cascaded === undefined) return failed(`the sub-sub-agent's token, with the assistant in its chain, was still accepted after ${FEED_WAIT_MS} ms`);
      narrator.say(`the sub-sub-agent's token (the assistant is in its act chain) → 401 too: revocation cascades down the chain`);
    }

    const verified = await mandate.api('GET', '/v1/audit/verify');
    if (!verified.body?.ok) return failed(`the audit chain does not verify: ${JSON.stringify(verified.body)}`);
    narrator.say(`GET /v1/audit/verify → ok, ${verified.body.count} hash-chained entries record every step above`);
    return ok(`client secret and tokens revoked${ctx.subSubAgentToken ? ', down the delegation chain' : ''}${ctx.database ? ', database login dropped' : ''}; the old token is refused; audit chain verified`);
  },
};

/** One thing a lifecycle transition took back (docs/registry.md): client secret, tokens, task, lease… */
interface Revoked {
  kind: string;
  id: string;
  detail?: string;
}

function uniqueRevoked(items: Revoked[]): Revoked[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(`${item.kind} ${item.id}`) && seen.add(`${item.kind} ${item.id}`));
}

function describeRevoked(item: Revoked): string {
  return `${item.kind.replace('_', ' ')} ${item.id}${item.detail ? ` (${item.detail})` : ''}`;
}

/** Milliseconds until the guard refuses the token (401), or undefined if it never does in time. */
async function refusedByGuard(url: string, token: string): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < FEED_WAIT_MS) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    await response.body?.cancel();
    if (response.status === 401) return Math.round(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return undefined;
}
