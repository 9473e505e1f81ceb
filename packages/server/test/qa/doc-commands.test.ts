import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { serverRoot } from '../cli/support/spawn.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { runAsReader } from '../support/reader-shell.js';

/**
 * Issue 10, item 12: every command in the README and docs is run by a test against a real server,
 * or checked as a synopsis. The convention (docs/architecture.md, "Commands in the docs"): every
 * fenced shell block that shows `mandate …`, `npx mandate …` or `curl …` has a marker comment on
 * the line before its fence —
 *   `<!-- run: NAME -->`       executed here with bash (`set -euo pipefail`) against a real
 *                              `mandate server`, after the setup named NAME below;
 *   `<!-- agent-life: … -->`   the README's quick start, executed by readme-agent-life.test.ts;
 *   `<!-- synopsis -->`        an option summary with placeholders: each `mandate` line must name
 *                              an existing verb, and every option it shows must exist on that verb.
 * A block without a marker fails, as does a synopsis naming a verb or an option the CLI lacks.
 */
const repoRoot = join(serverRoot, '..', '..');
const DOCS = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const SHELL_LANGS = new Set(['', 'sh', 'bash', 'shell', 'console']);
const COMMAND = /(^|\$\(|;|&&|\|\|)\s*(\$ )?(npx mandate|mandate|curl)\s/m;

interface Block {
  file: string;
  line: number;
  marker: string | null;
  body: string;
}

/** Every fenced shell block that shows a mandate or curl command, with the marker before it. */
function commandBlocks(): Block[] {
  const blocks: Block[] = [];
  for (const file of DOCS) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const match of text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
      if (!SHELL_LANGS.has(match[1]!) || !COMMAND.test(match[2]!)) continue;
      const before = text.slice(0, match.index).trimEnd().split('\n').at(-1)!.trim();
      blocks.push({ file, line: text.slice(0, match.index).split('\n').length, marker: /^<!--.*-->$/.test(before) ? before : null, body: match[2]! });
    }
  }
  return blocks;
}

// ---- synopses -------------------------------------------------------------------------------------

const sub = (command: Command, name: string) => command.commands.find((c) => c.name() === name || c.aliases().includes(name));
const optionNames = (command: Command) => command.options.flatMap((o) => [o.long, o.short]).filter((n): n is string => Boolean(n));
/** Options shown in a line: `--name` or `-x`, also inside `[…]` or after `|`. */
const optionsIn = (text: string) => [...text.matchAll(/(?:^|[\s[|(])(--?[A-Za-z][\w-]*)/g)].map((m) => m[1]!);

/**
 * The problems of one synopsis block: each line starting with `mandate` (or `npx mandate`) names
 * a verb path (`a|b` alternatives each checked; `x | y` after the verb may name a sibling verb);
 * indented lines continue the previous command; `# …` comments are ignored.
 */
function synopsisProblems(body: string, program: Command = buildProgram()): string[] {
  const problems: string[] = [];
  const globals = [...optionNames(program), '--help', '-h'];
  let current: Command[] = [];
  const checkOptions = (commands: Command[], text: string, where: string) => {
    for (const option of optionsIn(text)) {
      for (const command of commands) {
        if (!optionNames(command).includes(option) && !globals.includes(option)) problems.push(`${where}: '${command.name()}' has no option ${option}`);
      }
    }
  };
  for (const raw of body.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trimEnd();
    if (line.trim() === '') continue;
    const start = /^(\$ )?(npx )?mandate(\s|$)/.exec(line);
    if (!start) {
      if (/^\s/.test(line) && current.length > 0) checkOptions(current, line, `'${line.trim()}'`);
      else problems.push(`'${line.trim()}': a synopsis line must start with mandate`);
      continue;
    }
    const [first, ...others] = line.slice(start[0].length).split(' | ');
    const words = first!.trim().split(/\s+/).filter((w) => w !== '');
    // `mandate --version`, `mandate <group> <verb>`, `mandate …`: the program's own options, or any verb.
    if (words.length === 0 || words[0]!.startsWith('-') || words[0]!.startsWith('<') || words[0] === '…') {
      current = [program];
      checkOptions(current, line.slice(start[0].length), `'${line.trim()}'`);
      continue;
    }
    let parents: Command[] = [program];
    let unknownVerb = false;
    let i = 0;
    for (; i < words.length; i += 1) {
      const names = words[i]!.split('|');
      // A lowercase word where verbs are expected must be a verb; anything else is an argument.
      const verbsHere = parents.every((p) => p.commands.length > 0);
      if (!/^[a-z][a-z0-9-]*$/.test(names[0]!) || (!verbsHere && !parents.every((p) => sub(p, names[0]!)))) break;
      const next = names.map((n) => parents.map((p) => sub(p, n)));
      const missing = names.filter((_, k) => next[k]!.some((c) => c === undefined));
      if (missing.length > 0) {
        problems.push(`'${line.trim()}': no verb ${missing.join(', ')} under '${parents[0]!.name()}'`);
        unknownVerb = true;
        break;
      }
      parents = next.flat() as Command[];
    }
    if (unknownVerb || (parents.length === 1 && parents[0] === program)) {
      if (!unknownVerb) problems.push(`'${line.trim()}': no verb '${words[0] ?? ''}'`);
      current = [];
      continue;
    }
    current = parents;
    checkOptions(current, words.slice(i).join(' '), `'${line.trim()}'`);
    for (const other of others) {
      const verb = other.trim().split(/\s+/)[0]!;
      const siblings = current.map((c) => (c.parent ? sub(c.parent, verb) : undefined));
      if (!verb.startsWith('-') && siblings.every((s) => s !== undefined)) {
        current = siblings as Command[];
        checkOptions(current, other.trim().split(/\s+/).slice(1).join(' '), `'${line.trim()}'`);
      } else {
        checkOptions(current, other, `'${line.trim()}'`);
      }
    }
  }
  return problems;
}

// ---- runs -------------------------------------------------------------------------------------------

/**
 * What a `run:` block needs that a reader would already have (variables the prose names), as
 * bash run before it against the same server; and a check after it.
 */
const SETUPS: Record<string, { before: string; after: string }> = {
  'approval-wait-loop': {
    before: [
      'MANDATE=$MANDATE_URL',
      'npx mandate agent register --name waiter --purpose waits --owner alice@example.com --scope files:delete --tool files --classification internal --env test --id agent-waiter --secret-file waiter.secret >/dev/null',
      'AGENT_TOKEN=$(npx mandate token --client-id agent-waiter --client-secret-file waiter.secret)',
      `ID=$(curl -s -X POST "$MANDATE/v1/approvals" -H "authorization: Bearer $AGENT_TOKEN" -H 'content-type: application/json' -d '{"action":"delete","tool":"files","resource":{"type":"file","id":"q3.pdf"},"reason":"cleanup"}' | jq -r .id)`,
      '(sleep 1; npx mandate approvals approve "$ID" --reason "checked" >/dev/null) &',
    ].join('\n'),
    after: 'wait\n[ "$(jq -r .status <<<"$a")" = approved ] && echo "loop ended: approved"',
  },
  // docs/operations.md: `server migrate --status` on the running server's own store (./.mandate).
  'operations-migrate': { before: '', after: '' },
};

describe('commands in the README and docs', () => {
  const blocks = commandBlocks();

  it('finds the command blocks, and every one is marked run, agent-life or synopsis', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const unmarked = blocks.filter((b) => !b.marker || !/^<!-- (run: [\w-]+|synopsis|agent-life:.*) -->$/.test(b.marker));
    expect(unmarked.map((b) => `${b.file}:${b.line}`), 'mark each block <!-- run: NAME --> or <!-- synopsis --> (docs/architecture.md)').toEqual([]);
    expect(blocks.filter((b) => b.marker?.startsWith('<!-- agent-life:')).map((b) => b.file)).toEqual(['README.md']);
  });

  it.each(blocks.filter((b) => b.marker === '<!-- synopsis -->').map((b) => [`${b.file}:${b.line}`, b] as const))('%s: every verb and option exists in the CLI', (_, block) => {
    expect(synopsisProblems(block.body)).toEqual([]);
  });

  it('every inline `mandate …` code span in the README and docs names an existing verb and its options', () => {
    const spans = DOCS.flatMap((file) =>
      [...readFileSync(join(repoRoot, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '').matchAll(/`((?:npx )?mandate [^`]+)`/g)].map((m) => ({ file, text: m[1]!.replace(/\s*\n\s*/g, ' ') })),
    );
    expect(spans.length).toBeGreaterThan(50);
    const program = buildProgram();
    expect(spans.flatMap((span) => synopsisProblems(span.text, program).map((p) => `${span.file}: ${p}`))).toEqual([]);
  });

  it('the synopsis check fails on a verb or an option the CLI does not have', () => {
    expect(synopsisProblems('mandate agent frobnicate ID')).toEqual([expect.stringContaining('no verb')]);
    expect(synopsisProblems('mandate agent list [--colour C]')).toEqual([expect.stringContaining("'list' has no option --colour")]);
    expect(synopsisProblems('mandate agent suspend|pause ID')).toEqual([expect.stringContaining('no verb pause')]);
    expect(synopsisProblems('mandate audit query [--type T]\n    [--frm ISO]')).toEqual([expect.stringContaining('no option --frm')]);
    expect(synopsisProblems('mandate resource-server list | show <id> | package <id> <pkg> | --clear')).toEqual([]);
    expect(synopsisProblems('mandate resource-server list | show <id> | --purge')).toEqual([expect.stringContaining('no option --purge')]);
    expect(synopsisProblems('mandate nothing-here')).toEqual([expect.stringContaining('no verb nothing-here')]);
    expect(synopsisProblems('mandate --version')).toEqual([]);
    expect(synopsisProblems('mandate --colour')).toEqual([expect.stringContaining("'mandate' has no option --colour")]);
  });

  describe('run blocks, against a real server', () => {
    let server: ServerProcess;
    let dir: string;
    const runs = blocks.filter((b) => b.marker?.startsWith('<!-- run: '));

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'mandate-doc-commands-'));
      server = await spawnServer({ MANDATE_DATA_DIR: join(dir, '.mandate') });
    });
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
    });

    it('has a setup for every run block', () => {
      expect(runs.length).toBeGreaterThan(0);
      for (const block of runs) expect(Object.keys(SETUPS), `${block.file}:${block.line}`).toContain(/run: ([\w-]+)/.exec(block.marker!)![1]);
    });

    it.each(runs.map((b) => [`${b.file}:${b.line} (${/run: ([\w-]+)/.exec(b.marker!)![1]})`, b] as const))('%s runs as written', async (_, block) => {
      const setup = SETUPS[/run: ([\w-]+)/.exec(block.marker!)![1]!]!;
      const run = await runAsReader(`${setup.before}\n${block.body}\n${setup.after}\n`, dir, server.url, { defineUrl: true });
      expect(run.stderr).toBe('');
      expect(run.code, run.stdout).toBe(0);
    });
  });
});
