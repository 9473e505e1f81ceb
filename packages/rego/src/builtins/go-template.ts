/**
 * A subset of Go's text/template, for strings.render_template: `{{.field.path}}`, `{{$var}}`,
 * `{{if}}/{{else if}}/{{else}}/{{end}}`, `{{range $i, $v := ...}}` (with `{{else}}`), `{{with}}`,
 * variable declarations, pipelines `a | f`, parentheses, `{{- -}}` trimming, comments, and the
 * functions and, or, not, eq, ne, lt, le, gt, ge, len, index, print, println, printf.
 * A key missing from the variables prints `<undefined>`, as OPA does.
 */
import { BigNum, equals, isNumber, numberText, RObject, RSet, type Value } from '../value.js';
import { goSprintf } from './go-fmt.js';
import { BuiltinError } from './registry.js';
import { toGoArg } from './sprintf-args.js';

const UNDEFINED = Symbol('undefined');
type TValue = Value | typeof UNDEFINED;

type Token =
  | { k: 'field'; path: string[] }
  | { k: 'var'; name: string; path: string[] }
  | { k: 'lit'; v: Value }
  | { k: 'ident'; name: string }
  | { k: 'punct'; p: '(' | ')' | '|' | ':=' | '=' | ',' };

type Operand = { k: 'field'; path: string[] } | { k: 'var'; name: string; path: string[] } | { k: 'lit'; v: Value } | { k: 'pipe'; pipe: Pipe };
interface Command {
  fn: string | null;
  args: Operand[];
}
interface Pipe {
  decl: string[];
  cmds: Command[];
}

type Node =
  | { t: 'text'; s: string }
  | { t: 'print'; pipe: Pipe }
  | { t: 'if' | 'with'; pipe: Pipe; body: Node[]; alt: Node[] }
  | { t: 'range'; pipe: Pipe; body: Node[]; alt: Node[] };

function fail(msg: string): never {
  throw new BuiltinError(`template: ${msg}`);
}

// ---------------------------------------------------------------------------------------------
// Lexing

interface Chunk {
  text?: string;
  action?: string;
}

function chunks(src: string): Chunk[] {
  const out: Chunk[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start++;
    }
    out.push({ text });
    const close = src.indexOf('}}', start);
    if (close < 0) fail('unclosed action');
    let body = src.slice(start, close);
    i = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      const m = /^\s*/.exec(src.slice(i))!;
      i += m[0].length;
    }
    out.push({ action: body.trim() });
  }
  return out;
}

function tokenize(action: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  const path = (): string[] => {
    const parts: string[] = [];
    while (action[i] === '.' && /[A-Za-z_]/.test(action[i + 1] ?? '')) {
      const m = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(action.slice(i))!;
      parts.push(m[1]!);
      i += m[0].length;
    }
    return parts;
  };
  while (i < action.length) {
    const c = action[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '.') {
      const p = path();
      if (p.length === 0) i++;
      toks.push({ k: 'field', path: p });
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(action.slice(i))!;
      i += m[0].length;
      toks.push({ k: 'var', name: m[0], path: path() });
    } else if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(action.slice(i));
      if (!m) fail('unterminated quoted string');
      toks.push({ k: 'lit', v: JSON.parse(m[0]) as string });
      i += m[0].length;
    } else if (c === '`') {
      const end = action.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw quoted string');
      toks.push({ k: 'lit', v: action.slice(i + 1, end) });
      i = end + 1;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(action.slice(i));
      if (!m) fail(`bad number syntax in ${action}`);
      toks.push({ k: 'lit', v: Number(m[0]) });
      i += m[0].length;
    } else if (action.startsWith(':=', i)) {
      toks.push({ k: 'punct', p: ':=' });
      i += 2;
    } else if ('()|=,'.includes(c)) {
      toks.push({ k: 'punct', p: c as '(' });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(action.slice(i))!;
      i += m[0].length;
      if (m[0] === 'true' || m[0] === 'false') toks.push({ k: 'lit', v: m[0] === 'true' });
      else if (m[0] === 'nil') toks.push({ k: 'lit', v: null });
      else toks.push({ k: 'ident', name: m[0] });
    } else fail(`unexpected ${JSON.stringify(c)} in command`);
  }
  return toks;
}

// ---------------------------------------------------------------------------------------------
// Parsing

class PipeParser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  pipe(allowDecl: boolean, stopAtParen = false): Pipe {
    const decl: string[] = [];
    if (allowDecl) {
      const save = this.i;
      const names: string[] = [];
      while (this.toks[this.i]?.k === 'var') {
        names.push((this.toks[this.i] as { name: string }).name);
        this.i++;
        if (this.isPunct(',')) this.i++;
        else break;
      }
      if (names.length > 0 && (this.isPunct(':=') || this.isPunct('='))) {
        this.i++;
        decl.push(...names);
      } else this.i = save;
    }
    const cmds: Command[] = [this.command()];
    while (this.isPunct('|')) {
      this.i++;
      cmds.push(this.command());
    }
    if (!stopAtParen && this.i < this.toks.length) fail('unexpected token in pipeline');
    return { decl, cmds };
  }

  private isPunct(p: string): boolean {
    const t = this.toks[this.i];
    return t?.k === 'punct' && t.p === p;
  }

  private command(): Command {
    const first = this.toks[this.i];
    if (!first) fail('missing value for command');
    let fn: string | null = null;
    if (first.k === 'ident') {
      fn = first.name;
      this.i++;
    }
    const args: Operand[] = [];
    for (;;) {
      const t = this.toks[this.i];
      if (!t || (t.k === 'punct' && (t.p === '|' || t.p === ')'))) break;
      if (t.k === 'punct' && t.p === '(') {
        this.i++;
        const inner = this.pipe(false, true);
        if (!this.isPunct(')')) fail('unclosed left paren');
        this.i++;
        args.push({ k: 'pipe', pipe: inner });
      } else if (t.k === 'ident') {
        fail(`function ${t.name} used as an argument without parentheses`);
      } else if (t.k === 'punct') {
        fail(`unexpected ${t.p}`);
      } else {
        args.push(t);
        this.i++;
      }
    }
    if (fn === null && args.length !== 1) fail(args.length === 0 ? 'empty command' : `can't give argument to non-function`);
    return { fn, args };
  }
}

function parsePipe(action: string, allowDecl = true): Pipe {
  return new PipeParser(tokenize(action)).pipe(allowDecl);
}

function parseTemplate(src: string): Node[] {
  const list = chunks(src);
  let pos = 0;
  const block = (ends: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (pos < list.length) {
      const c = list[pos++]!;
      if (c.text !== undefined) {
        if (c.text !== '') nodes.push({ t: 'text', s: c.text });
        continue;
      }
      const a = c.action!;
      if (a.startsWith('/*')) continue;
      const word = /^[a-z]+/.exec(a)?.[0] ?? '';
      if (word === 'end' || word === 'else') {
        if (!ends.includes(word)) fail(`unexpected {{${word}}}`);
        return { nodes, end: a };
      }
      if (word === 'if' || word === 'with' || word === 'range') nodes.push(control(word, a.slice(word.length).trim()));
      else nodes.push({ t: 'print', pipe: parsePipe(a) });
    }
    if (ends.length > 0) fail('unexpected EOF');
    return { nodes, end: '' };
  };
  const control = (kind: 'if' | 'with' | 'range', rest: string): Node => {
    const pipe = parsePipe(rest);
    const body = block(['end', 'else']);
    let alt: Node[] = [];
    if (body.end.startsWith('else')) {
      const chained = body.end.slice(4).trim();
      if (chained.startsWith('if ') || chained.startsWith('with ')) {
        const w = chained.startsWith('if ') ? 'if' : 'with';
        alt = [control(w, chained.slice(w.length).trim())];
        return { t: kind, pipe, body: body.nodes, alt };
      }
      const tail = block(['end']);
      alt = tail.nodes;
    }
    return { t: kind, pipe, body: body.nodes, alt };
  };
  return block([]).nodes;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Go's template truth: false, 0, nil, and empty strings and collections are false. */
function truth(v: TValue): boolean {
  if (v === UNDEFINED || v === null || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v !== '';
  if (v instanceof BigNum) return true;
  if (Array.isArray(v)) return v.length > 0;
  return (v as RObject | RSet).size > 0;
}

/** fmt.Sprint of a value as text/template prints it. */
function show(v: TValue): string {
  if (v === UNDEFINED) return '<undefined>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (isNumber(v)) return numberText(v);
  if (Array.isArray(v)) return '[' + v.map(show).join(' ') + ']';
  if (v instanceof RSet) return '[' + v.values().map(show).join(' ') + ']';
  return 'map[' + (v as RObject).entries().map(([k, x]) => `${show(k)}:${show(x)}`).join(' ') + ']';
}

type Scope = { name: string; value: TValue }[];

function lookupVar(scope: Scope, name: string): TValue {
  for (let i = scope.length - 1; i >= 0; i--) if (scope[i]!.name === name) return scope[i]!.value;
  fail(`undefined variable: ${name}`);
}

function field(v: TValue, path: string[]): TValue {
  let cur = v;
  for (const p of path) {
    if (cur === UNDEFINED) return UNDEFINED;
    if (cur instanceof RObject) cur = cur.get(p) ?? UNDEFINED;
    else if (cur === null) return UNDEFINED;
    else fail(`can't evaluate field ${p} in type ${typeof cur}`);
  }
  return cur;
}

function numberOrString(v: TValue): number | string {
  if (typeof v === 'string') return v;
  if (v !== UNDEFINED && isNumber(v)) return typeof v === 'number' ? v : v.toDouble();
  fail('incompatible types for comparison');
}

function lessThan(a: TValue, b: TValue): boolean {
  const x = numberOrString(a);
  const y = numberOrString(b);
  if (typeof x !== typeof y) fail('incompatible types for comparison');
  return x < y;
}

function plain(v: TValue): Value {
  return v === UNDEFINED ? null : v;
}

function sprint(args: TValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += show(a);
  });
  return out;
}

const FUNCS: Record<string, (args: TValue[]) => TValue> = {
  and: (a) => a.find((x) => !truth(x)) ?? a[a.length - 1]!,
  or: (a) => a.find((x) => truth(x)) ?? a[a.length - 1]!,
  not: (a) => !truth(a[0]!),
  eq: (a) => a.slice(1).some((x) => equals(plain(a[0]!), plain(x))),
  ne: (a) => !equals(plain(a[0]!), plain(a[1]!)),
  lt: (a) => lessThan(a[0]!, a[1]!),
  le: (a) => !lessThan(a[1]!, a[0]!),
  gt: (a) => lessThan(a[1]!, a[0]!),
  ge: (a) => !lessThan(a[0]!, a[1]!),
  len: (a) => {
    const v = a[0]!;
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (v instanceof RObject || v instanceof RSet) return v.size;
    fail('len of unsupported type');
  },
  index: (a) => {
    let cur: TValue = a[0]!;
    for (const k of a.slice(1)) {
      if (cur instanceof RObject) cur = cur.get(plain(k)) ?? UNDEFINED;
      else if (Array.isArray(cur) && typeof k === 'number') {
        if (k < 0 || k >= cur.length) fail(`index out of range: ${k}`);
        cur = cur[k]!;
      } else fail("can't index item");
    }
    return cur;
  },
  print: (a) => sprint(a),
  println: (a) => a.map(show).join(' ') + '\n',
  printf: (a) => goSprintf(String(plain(a[0]!)), a.slice(1).map((x) => toGoArg(plain(x)))),
};

function evalPipe(pipe: Pipe, dot: TValue, scope: Scope): TValue {
  let result: TValue | undefined;
  for (const cmd of pipe.cmds) {
    const args = cmd.args.map((o) => evalOperand(o, dot, scope));
    if (result !== undefined) args.push(result);
    if (cmd.fn === null) {
      if (args.length !== 1) fail(`can't give argument to non-function`);
      result = args[0]!;
    } else {
      const f = FUNCS[cmd.fn];
      if (!f) fail(`function "${cmd.fn}" not defined`);
      if (args.length === 0 && cmd.fn !== 'print' && cmd.fn !== 'println') fail(`wrong number of args for ${cmd.fn}`);
      result = f(args);
    }
  }
  for (const name of pipe.decl) scope.push({ name, value: result! });
  return result!;
}

function evalOperand(o: Operand, dot: TValue, scope: Scope): TValue {
  switch (o.k) {
    case 'lit':
      return o.v;
    case 'field':
      return field(dot, o.path);
    case 'var':
      return field(lookupVar(scope, o.name), o.path);
    case 'pipe':
      return evalPipe(o.pipe, dot, scope);
  }
}

function run(nodes: Node[], dot: TValue, scope: Scope, out: string[]): void {
  for (const n of nodes) {
    switch (n.t) {
      case 'text':
        out.push(n.s);
        break;
      case 'print': {
        const v = evalPipe(n.pipe, dot, scope);
        if (n.pipe.decl.length === 0) out.push(show(v));
        break;
      }
      case 'if':
      case 'with': {
        const depth = scope.length;
        const v = evalPipe(n.pipe, dot, scope);
        if (truth(v)) run(n.body, n.t === 'with' ? v : dot, scope, out);
        else run(n.alt, dot, scope, out);
        scope.length = depth;
        break;
      }
      case 'range': {
        const depth = scope.length;
        const decl = n.pipe.decl;
        const v = evalPipe({ decl: [], cmds: n.pipe.cmds }, dot, scope);
        const items: [Value, Value][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v instanceof RObject
            ? v.entries()
            : v instanceof RSet
              ? v.values().map((x, i) => [i, x])
              : v === UNDEFINED || v === null
                ? []
                : fail(`range can't iterate over ${show(v)}`);
        if (items.length === 0) run(n.alt, dot, scope, out);
        for (const [k, x] of items) {
          const mark = scope.length;
          if (decl.length === 1) scope.push({ name: decl[0]!, value: x });
          else if (decl.length === 2) scope.push({ name: decl[0]!, value: k }, { name: decl[1]!, value: x });
          run(n.body, x, scope, out);
          scope.length = mark;
        }
        scope.length = depth;
        break;
      }
    }
  }
}

/** Render a text/template with the given variables as its data (`.`). */
export function renderTemplate(src: string, vars: Value): string {
  const nodes = parseTemplate(src);
  const out: string[] = [];
  run(nodes, vars, [{ name: '$', value: vars }], out);
  return out.join('');
}
