/**
 * The README's list of builtins is generated from the registry, so it cannot drift from what the
 * engine supports. `UPDATE_README=1 npx vitest run packages/rego/test/readme.test.ts` rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allBuiltins } from '../src/index.js';

const README = new URL('../README.md', import.meta.url);
const START = '<!-- builtins: generated from the registry by test/readme.test.ts -->';
const END = '<!-- end of builtins -->';

/** The registered builtins as a table, one row per namespace (the name up to its last dot). */
function builtinTable(): string {
  const groups = new Map<string, string[]>();
  for (const name of [...allBuiltins().keys()].sort()) {
    const dot = name.lastIndexOf('.');
    const group = dot < 0 ? '(none: operators, strings, numbers, aggregates, types, ...)' : name.slice(0, dot);
    groups.set(group, [...(groups.get(group) ?? []), name]);
  }
  // names without a namespace first, then the namespaces in order
  const rows = [...groups].sort(([a], [b]) => (a.startsWith('(') ? -1 : b.startsWith('(') ? 1 : a.localeCompare(b))).map(([group, names]) => `| ${group} | ${names.length} | ${names.map((n) => `\`${n}\``).join(', ')} |`);
  return [`${allBuiltins().size} builtins:`, '', '| namespace | count | builtins |', '|---|---:|---|', ...rows].join('\n');
}

describe('README', () => {
  it('lists exactly the registered builtins', () => {
    const text = readFileSync(README, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const expected = `${START}\n${builtinTable()}\n${END}`;
    if (process.env.UPDATE_README === '1') writeFileSync(README, text.slice(0, start) + expected + text.slice(end + END.length));
    else expect(text.slice(start, end + END.length)).toBe(expected);
  });
});
