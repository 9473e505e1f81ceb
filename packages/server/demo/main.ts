/**
 * `npm run demo`: the seed's calendar assistant, end to end, against a real Mandate started here
 * (embedded SQLite store in a temporary directory, removed at the end). Prints a narrative, one
 * outcome per step; steps whose capability this build lacks say "skipped". Exit code 0 when no
 * step failed, 1 otherwise.
 */
import { discoverMetadata } from '@mandate/sdk';
import { MissingPrerequisite, type DemoContext } from './context.js';
import { startMandate } from './mandate.js';
import { failed, Narrator, type Outcome } from './narrative.js';
import { STEPS } from './steps/index.js';

export async function runDemo(write: (text: string) => void): Promise<Outcome[]> {
  const narrator = new Narrator(write);
  narrator.title('Mandate demo: the calendar assistant (docs/mcp.md)');
  const mandate = await startMandate();
  narrator.line(`Mandate is running at ${mandate.url} (embedded SQLite store in ${mandate.dataDir})\n`);
  const ctx: DemoContext = { mandate, narrator, metadata: await discoverMetadata(mandate.url, (input, init) => fetch(input, init)), cleanups: [] };
  const outcomes: Outcome[] = [];
  try {
    for (const [index, step] of STEPS.entries()) {
      narrator.heading(index + 1, STEPS.length, step.title);
      let outcome: Outcome;
      try {
        outcome = await step.run(ctx);
      } catch (error) {
        outcome = failed(error instanceof MissingPrerequisite ? error.message : `${(error as Error).name}: ${(error as Error).message}`);
      }
      narrator.outcome(outcome);
      outcomes.push(outcome);
    }
  } finally {
    for (const cleanup of ctx.cleanups.reverse()) await cleanup().catch(() => undefined);
    await mandate.stop();
  }
  const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
  narrator.line(`Done: ${count('ok')} ok, ${count('skipped')} skipped, ${count('failed')} failed.`);
  return outcomes;
}

const outcomes = await runDemo((text) => process.stdout.write(text));
process.exitCode = outcomes.some((o) => o.kind === 'failed') ? 1 : 0;
