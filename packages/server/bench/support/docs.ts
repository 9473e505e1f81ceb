/** docs/benchmarks.md, and replacing one benchmark's own section there without touching the others. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchmarksDoc = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/benchmarks.md');

/** Replaces (or appends) the section starting with `heading` (`## …`) up to the next `## `. */
export function replaceSection(heading: string, section: string): void {
  const current = existsSync(benchmarksDoc) ? readFileSync(benchmarksDoc, 'utf8') : '# Benchmarks\n\n';
  const start = current.indexOf(`${heading}\n`);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf('\n## ', start + heading.length);
    // One blank line between this section and the next heading, however the section ends.
    next = current.slice(0, start) + (after < 0 ? section : `${section.trimEnd()}\n\n${current.slice(after + 1)}`);
  }
  writeFileSync(benchmarksDoc, next.endsWith('\n') ? next : `${next}\n`);
}
