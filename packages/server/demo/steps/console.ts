/** Where it can all be seen: the console's URL, when this build serves one, and that it answers. */
import { CAPABILITIES } from '../capabilities.js';
import type { DemoStep } from '../context.js';
import { failed, ok, skipped } from '../narrative.js';

export const consoleStep: DemoStep = {
  id: 'console',
  title: 'See it all in the console',
  async run(ctx) {
    if (!(await CAPABILITIES.console.offered(ctx))) return skipped(CAPABILITIES.console.name);
    const url = `${ctx.mandate.url}/console/`;
    const response = await fetch(url, { redirect: 'manual' });
    const body = await response.text();
    // 503: served, but the console was not built (the body says how to build it).
    if (response.status !== 200) return failed(`GET ${url} → ${response.status}: ${body.trim()}`);
    const type = response.headers.get('content-type') ?? '';
    const csp = response.headers.get('content-security-policy') ?? '';
    if (!type.startsWith('text/html') || !body.includes('<div id="root">')) return failed(`GET ${url} → 200 but not the console's page (${type})`);
    ctx.narrator.say(`GET ${url} → 200 ${type.split(';')[0]}, Content-Security-Policy: ${csp.split(';')[0]}; …`);
    ctx.narrator.say(`sign in at ${ctx.mandate.url}/signin with an operator token; the console's pages: Agents, Approvals and the others in its navigation`);
    ctx.narrator.say(`console: ${ctx.mandate.url}/console (the admin token is in ${ctx.mandate.dataDir}/admin-token while the demo runs)`);
    return ok(`console at ${ctx.mandate.url}/console`);
  },
};
