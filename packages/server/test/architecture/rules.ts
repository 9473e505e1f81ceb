import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * The import rules of docs/architecture.md, checked over a file tree given as text (so a test
 * can show each rule catching a deliberately bad import) and over the real tree.
 *
 * Paths are POSIX and relative to the server's `src/`; the first segment is the folder
 * (context or layer), files at the top are the composition root.
 */
export interface Import {
  from: string;
  /** Resolved path (relative to src/) of a relative import, else the bare specifier. */
  target: string;
  dynamic: boolean;
}

export interface Violation {
  rule: 'face-only' | 'http-on-top' | 'light-cli' | 'no-folder-cycles' | 'own-tables';
  file: string;
  message: string;
}

/**
 * Folders anyone may import file by file: leaf modules with no state (clock, errors, ids, the
 * logger; configuration defaults, schema and loader). A face would make the CLI load the whole
 * configuration loader just to learn a default URL.
 */
const OPEN_FOLDERS = new Set(['shared', 'config']);
/** Folders that sit above http/ and may import it: the process that starts the server. */
const ABOVE_HTTP = new Set(['http', 'server']);
/** What a client verb of the CLI may import statically (heavy verbs load the rest with import()). */
const CLI_STATIC = new Set(['cli', 'config', 'shared']);
/** Query-builder calls whose first argument names a table. */
const TABLE_CALL = /\.(?:selectFrom|insertInto|updateTable|deleteFrom|createTable|alterTable|dropTable)\(\s*'([a-z_]+)'/g;

export function folderOf(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** Every import of a file: static (incl. `import type` and `export … from`) and dynamic `import()`. */
export function importsOf(path: string, text: string): Import[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (specifier: string, dynamic: boolean) => found.push({ from: path, target: resolve(path, specifier), dynamic });
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

/** Which context owns each table: the keys of the `…Tables` interfaces in `<context>/tables.ts` or `storage/index.ts`. */
export function tableOwners(files: ReadonlyMap<string, string>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [path, text] of files) {
    if (!/^[a-z-]+\/(tables|index)\.ts$/.test(path)) continue;
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    source.forEachChild((node) => {
      if (!ts.isInterfaceDeclaration(node) || !/Tables$/.test(node.name.text)) return;
      for (const member of node.members) {
        if (member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) owners.set(member.name.text, folderOf(path));
      }
    });
  }
  return owners;
}

/** The folder-level import graph's cycles (strongly connected components of two or more folders). */
export function folderCycles(imports: readonly Import[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const { from, target } of imports) {
    const a = folderOf(from);
    const b = folderOf(target);
    if (!a || !b || a === b || target.startsWith('@') || !target.includes('/')) continue;
    (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
  }
  // Tarjan's algorithm.
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (node: string): void => {
    order.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!order.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, order.get(next)!));
      }
    }
    if (low.get(node) === order.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!order.has(node)) connect(node);
  return cycles;
}

/**
 * The CLI files every command loads: those reached from the entry (`cli/main.ts`, or every CLI
 * file when a tree has no entry) by static imports. A verb module that the others load only
 * with import() (the server, the offline policy engine) is not among them.
 */
function eagerCliFiles(files: ReadonlyMap<string, string>, imports: readonly Import[]): Set<string> {
  const cliFiles = [...files.keys()].filter((path) => folderOf(path) === 'cli');
  const roots = files.has('cli/main.ts') ? ['cli/main.ts'] : cliFiles;
  const eager = new Set<string>(roots);
  const pending = [...roots];
  while (pending.length > 0) {
    const file = pending.pop()!;
    for (const { from, target, dynamic } of imports) {
      if (from !== file || dynamic || folderOf(target) !== 'cli' || eager.has(target)) continue;
      eager.add(target);
      pending.push(target);
    }
  }
  return eager;
}

/** Checks every rule over `files` (path relative to src/ → text); returns what breaks them. */
export function checkTree(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  const imports = [...files].flatMap(([path, text]) => importsOf(path, text));
  const eager = eagerCliFiles(files, imports);
  for (const { from, target, dynamic } of imports) {
    if (!target.endsWith('.ts')) continue; // a package
    const source = folderOf(from);
    const destination = folderOf(target);
    if (source === destination || destination === '') continue;
    if (!OPEN_FOLDERS.has(destination) && target !== `${destination}/index.ts`) {
      violations.push({ rule: 'face-only', file: from, message: `imports ${target}: outside ${destination}/, use its face ${destination}/index.ts` });
    }
    if (destination === 'http' && !ABOVE_HTTP.has(source)) {
      violations.push({ rule: 'http-on-top', file: from, message: `imports ${target}: nothing below http/ may import http/` });
    }
    if (eager.has(from) && !dynamic && !CLI_STATIC.has(destination)) {
      violations.push({ rule: 'light-cli', file: from, message: `imports ${target} statically: CLI verbs load server code only with import() when they run` });
    }
  }
  for (const cycle of folderCycles(imports)) {
    violations.push({ rule: 'no-folder-cycles', file: `${cycle[0]}/`, message: `folders import each other in a cycle: ${cycle.join(' ↔ ')}` });
  }
  const owners = tableOwners(files);
  for (const [path, text] of files) {
    for (const match of text.matchAll(TABLE_CALL)) {
      const owner = owners.get(match[1]!);
      if (owner !== undefined && owner !== folderOf(path)) {
        violations.push({ rule: 'own-tables', file: path, message: `queries table '${match[1]}' of ${owner}/: ask ${owner}/index.ts instead` });
      }
    }
  }
  return violations;
}

/** The TypeScript sources under `root` (tests excluded), as the map `checkTree` reads. */
export function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) files.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return files;
}
