/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (all when none is named).
 * Each benchmark is a module in this folder exporting `run(args)`; it measures Mandate
 * beside a peer in the same run and prints a table with the ratio (see docs/benchmarks.md).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.replace(/\.bench\.ts$/, ''))
  .sort();

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
for (const name of requested.length > 0 ? requested : available) {
  console.log(`\n## ${name}\n`);
  const module = (await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)) as {
    run: (args: string[]) => Promise<void>;
  };
  await module.run(process.argv.slice(2));
}
