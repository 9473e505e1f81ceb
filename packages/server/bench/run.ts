/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (all when none is named).
 * Each benchmark is a module exporting `run(args)` in this folder or in another workspace
 * package's bench/ folder (packages/rego/bench/rego.bench.ts is `rego`); most measure Mandate
 * beside a peer in the same run and print a table with the ratio (see docs/benchmarks.md).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '../..');
/** Benchmark name → its file, over every package's bench/ folder. */
const files = new Map<string, string>();
for (const pkg of readdirSync(packages)) {
  const folder = join(packages, pkg, 'bench');
  if (!existsSync(folder)) continue;
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.bench.ts'))) {
    files.set(file.replace(/\.bench\.ts$/, ''), join(folder, file));
  }
}
const available = [...files.keys()].sort();

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
for (const name of requested.length > 0 ? requested : available) {
  console.log(`\n## ${name}\n`);
  const module = (await import(pathToFileURL(files.get(name)!).href)) as {
    run: (args: string[]) => Promise<void>;
  };
  await module.run(process.argv.slice(2));
}
