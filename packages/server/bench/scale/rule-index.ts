/**
 * `npm run bench -- scale`, issue 11 item 5: the Rego rule index, 10 / 1,000 / 10,000 rules of
 * `allow if { input.agent.id == "agent-i"; input.resource.type == "doc-i"; input.action == "read" }`,
 * indexed against unindexed in the same run. The series lives in the engine's own bench
 * (packages/rego/bench/rego.bench.ts, `npm run bench -- rego`, which prints its table); scale runs
 * it with the engine's default of 2 s per measurement (`--rule-seconds=S` to change), whatever
 * `--seconds` the HTTP parts use. About 1–2 minutes.
 */
import { run as regoBench } from '../../../rego/bench/rego.bench.js';

export async function run(args: string[]): Promise<void> {
  const seconds = args.find((a) => a.startsWith('--rule-seconds='))?.split('=')[1];
  await regoBench(['--sizes=10,1000,10000', ...(seconds ? [`--seconds=${seconds}`] : [])]);
}
