/**
 * `npm run bench -- scale`, issue 11 item 5: the Rego rule index, 10 / 1,000 / 10,000 rules of
 * `allow if { input.agent.id == "agent-i"; input.resource.type == "doc-i"; input.action == "read" }`,
 * indexed against unindexed in the same run. The series lives in the engine's own bench
 * (packages/rego/bench/rego.bench.ts, `npm run bench -- rego`, which prints its table); scale runs
 * it, located as bench/run.ts locates every package's benches (by file, not by importing another
 * package's sources), with the engine's default of 2 s per measurement (`--rule-seconds=S`),
 * whatever `--seconds` the HTTP parts use. About 1–2 minutes.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const regoBench = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'rego', 'bench', 'rego.bench.ts');

export async function run(args: string[]): Promise<void> {
  const seconds = args.find((a) => a.startsWith('--rule-seconds='))?.split('=')[1];
  const bench = (await import(pathToFileURL(regoBench).href)) as { run(args: string[]): Promise<void> };
  await bench.run(['--sizes=10,1000,10000', ...(seconds ? [`--seconds=${seconds}`] : [])]);
}
