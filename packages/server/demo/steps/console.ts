/** Where it can all be seen: the console's URL, when this build serves one. */
import { CAPABILITIES } from '../capabilities.js';
import type { DemoStep } from '../context.js';
import { ok, skipped } from '../narrative.js';

export const consoleStep: DemoStep = {
  id: 'console',
  title: 'See it all in the console',
  async run(ctx) {
    if (!(await CAPABILITIES.console.offered(ctx))) return skipped(CAPABILITIES.console.name);
    ctx.narrator.say(`console: ${ctx.mandate.url}/console (the admin token is in ${ctx.mandate.dataDir}/admin-token while the demo runs)`);
    return ok(`console at ${ctx.mandate.url}/console`);
  },
};
