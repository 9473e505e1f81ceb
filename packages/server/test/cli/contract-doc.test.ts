import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { serverRoot } from './support/spawn.js';

const repoRoot = join(serverRoot, '..', '..');
const visible = (command: Command) => command.commands.filter((c) => c.name() !== 'help');

/** `group: verb …` for every verb group and verb the CLI has, nested groups as `token issue`. */
function verbsOf(command: Command, prefix = ''): string[] {
  return visible(command).flatMap((c) => {
    const name = `${prefix}${c.name()}`;
    return c.commands.length === 0 ? [name] : verbsOf(c, `${name} `);
  });
}

/** The rows of the table under docs/contract.md's "## CLI": group → the text of its verbs cell. */
function contractRows(): Map<string, string> {
  const text = readFileSync(join(repoRoot, 'docs', 'contract.md'), 'utf8');
  const section = text.slice(text.indexOf('\n## CLI\n'), text.indexOf('\n## ', text.indexOf('\n## CLI\n') + 1));
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| `([a-z-]+)` \| (.*?) \|[^|]*\|$/gm)) rows.set(match[1]!, match[2]!);
  return rows;
}

/** The CLI section of docs/contract.md and the README's index name every group; the contract names every verb. */
describe('the CLI as documented', () => {
  const program = buildProgram();

  it('docs/contract.md lists every group and every verb', () => {
    const rows = contractRows();
    expect([...rows.keys()].sort()).toEqual(visible(program).map((c) => c.name()).sort());
    const missing = visible(program).flatMap((group) =>
      verbsOf(group)
        // A nested group's verbs are shown as `token issue\|revoke`: look for the last word alone.
        .map((verb) => verb.split(' ').at(-1)!)
        .filter((verb) => !new RegExp(`[\`| ]${verb}[\`\\\\]`).test(rows.get(group.name()) ?? ''))
        .map((verb) => `${group.name()} ${verb}`),
    );
    expect(missing).toEqual([]);
  });

  it("README.md's CLI index names every group", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const index = readme.slice(readme.indexOf('\n## CLI\n'), readme.indexOf('\n## ', readme.indexOf('\n## CLI\n') + 1));
    expect(visible(program).map((c) => c.name()).filter((name) => !index.includes(`\`${name}\``))).toEqual([]);
  });
});
