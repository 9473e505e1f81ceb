import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkTree, importsOf, readTree, type Violation } from './rules.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../../..');
const serverSrc = join(repo, 'packages/server/src');

/** The folder the project's developers have beside the repository (never there on a bare clone). */
const SHARED_BESIDE = /^(\.\.\/)+shared\/(conformance|hooks|seed|[A-Z]+\.md)/;

const tree = (files: Record<string, string>) => new Map(Object.entries(files));
const rulesBroken = (violations: Violation[]) => violations.map((v) => `${v.rule} ${v.file}`);
const describeAll = (violations: Violation[]) => violations.map((v) => `${v.rule}: ${v.file}: ${v.message}`).join('\n');

describe('the import rules (docs/architecture.md)', () => {
  it('hold on the server tree', () => {
    const violations = checkTree(readTree(serverSrc));
    expect(describeAll(violations)).toBe('');
  });

  it('catch a context importing another context’s internals instead of its face', () => {
    const files = tree({
      'registry/index.ts': "export { RegistryService } from './service.js';",
      'registry/service.ts': 'export class RegistryService {}',
      'oauth/good.ts': "import { RegistryService } from '../registry/index.js';",
      'oauth/bad.ts': "import type { RegistryService } from '../registry/service.js';",
    });
    expect(rulesBroken(checkTree(files))).toEqual(['face-only oauth/bad.ts']);
  });

  it('catch anything below http/ importing http/', () => {
    const files = tree({
      'http/index.ts': 'export const app = 1;',
      'policy/bad.ts': "import { app } from '../http/index.js';",
      'server/good.ts': "import { app } from '../http/index.js';",
    });
    expect(rulesBroken(checkTree(files))).toEqual(['http-on-top policy/bad.ts']);
  });

  it('catch a CLI verb loading server code statically (import() when the verb runs is fine)', () => {
    const files = tree({
      'registry/index.ts': 'export const CLASSES = [];',
      'cli/main.ts': "import './bad.js'; import './good.js';",
      'cli/bad.ts': "import { CLASSES } from '../registry/index.js';",
      'cli/good.ts': "export async function run() { return import('./heavy.js'); }",
      'cli/heavy.ts': "import { CLASSES } from '../registry/index.js';",
    });
    expect(rulesBroken(checkTree(files))).toEqual(['light-cli cli/bad.ts']);
  });

  it('catch a new cycle between folders, type-only imports included', () => {
    const files = tree({
      'approvals/index.ts': "import type { Decision } from '../policy/index.js'; export type Approval = Decision;",
      'policy/index.ts': "import type { Approval } from '../approvals/index.js'; export type Decision = Approval;",
    });
    expect(checkTree(files).map((v) => v.message)).toEqual(['folders import each other in a cycle: approvals ↔ policy']);
  });

  it("catch a context querying another context's table", () => {
    const files = tree({
      'approvals/tables.ts': 'export interface ApprovalTables { approvals: { id: string } }',
      'approvals/store.ts': "db.selectFrom('approvals').selectAll()",
      'policy/decision-point.ts': "db.updateTable('approvals').set({ status: 'consumed' })",
    });
    expect(rulesBroken(checkTree(files))).toEqual(['own-tables policy/decision-point.ts']);
  });

  it('see static, type-only, re-exported and dynamic imports', () => {
    const text = [
      "import { a } from '../x/index.js';",
      "import type { B } from '../y/b.js';",
      "export { c } from './c.js';",
      "type D = import('../z/d.js').D;",
      "const e = await import('../w/index.js');",
    ].join('\n');
    expect(importsOf('cli/verb.ts', text).map((i) => `${i.target}${i.dynamic ? ' (dynamic)' : ''}`)).toEqual([
      'x/index.ts',
      'y/b.ts',
      'cli/c.ts',
      'z/d.ts',
      'w/index.ts (dynamic)',
    ]);
  });
});

describe('packages and the repository', () => {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean);
  const sources = tracked.filter((path) => /\.(ts|js|mjs|cjs|json|sh)$/.test(path) || path.startsWith('.ci/'));

  it('keep the Rego engine and the SDK free of server code', () => {
    const offenders = sources
      .filter((path) => /^packages\/(rego|sdk)\/.*\.ts$/.test(path))
      .flatMap((path) => importsOf(path, readFileSync(join(repo, path), 'utf8')))
      .filter((i) => i.target.includes('packages/server') || i.target.startsWith('@mandate/server'))
      .map((i) => `${i.from} → ${i.target}`);
    expect(offenders).toEqual([]);
  });

  it("import other packages by name, never by a path into their sources", () => {
    const offenders = sources
      .filter((path) => /^packages\/[^/]+\/.*\.ts$/.test(path))
      .flatMap((path) => importsOf(path, readFileSync(join(repo, path), 'utf8')))
      .filter((i) => i.target.startsWith('packages/') && i.target.split('/')[1] !== i.from.split('/')[1])
      .map((i) => `${i.from} → ${i.target}`);
    expect(offenders).toEqual([]);
  });

  it('read nothing outside the repository (a bare clone has no ../shared beside it)', () => {
    const outside: string[] = [];
    for (const path of sources) {
      const text = readFileSync(join(repo, path), 'utf8');
      for (const match of text.matchAll(/(?<![\w.])((?:\.\.\/)+)[\w.-]+(\/[\w.-]+)?/g)) {
        const target = posix.normalize(posix.join(posix.dirname(path), match[0]));
        // Escaping from the file's folder, or naming what lies in the ../shared folder beside the
        // repository from wherever (code resolving against the root, as the conformance runner did).
        if (target.startsWith('..') || SHARED_BESIDE.test(match[0])) outside.push(`${path}: ${match[0]}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('find a path that leaves the repository when there is one (the check above can fail)', () => {
    const path = 'packages/rego/src/conformance/main.ts';
    // Built from parts, so this file itself holds no path that leaves the repository.
    const escaping = [...Array(5).fill('..'), 'shared', 'conformance', 'rego', 'opa-cases.jsonl'].join('/');
    const target = posix.normalize(posix.join(posix.dirname(path), escaping));
    expect(target.startsWith('..')).toBe(true);
    expect(relative(repo, resolve(repo, posix.dirname(path), escaping))).toMatch(/^\.\./);
  });
});
