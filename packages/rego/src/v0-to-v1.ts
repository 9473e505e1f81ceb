/**
 * Rewrites a Rego v0 module as Rego v1 text, as `opa fmt --v0-v1` does, by editing the source
 * (comments and layout stay as written):
 *
 * - `if` before every rule, function and `else` body: `p { … }` → `p if { … }`;
 * - partial set rules take `contains`: `p[x] { … }` → `p contains x if { … }`;
 * - a rule with several bodies (`p { a } { b }`) becomes one rule per body;
 * - `import future.keywords…` lines go and `import rego.v1` is added after the package.
 *
 * The module must parse as v0, and the result is parsed as v1 before it is returned; a module
 * this cannot convert (e.g. a variable named `if` or `contains`, which v1 reserves) is an error,
 * never a silently different policy. Compile-time v1 rules (deprecated builtins, shadowed
 * `input`/`data`) are the compiler's to report on the result.
 */
import { parseModule } from './parser.js';
import { tokenize, type Token } from './lexer.js';

interface Edit {
  at: number;
  /** characters removed from `at` */
  remove: number;
  insert: string;
}

/** Operators after which `{` opens a value (object or set), not a rule body. */
const VALUE_BEFORE = new Set(['=', ':=', ',', ':', '|', '&', '(', '[', '{', '+', '-', '*', '/', '%', '==', '!=', '<', '>', '<=', '>=']);
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** `src` (Rego v0) as Rego v1 text; `src` unchanged when it already imports rego.v1. */
export function rewriteV0ToV1(src: string, file = 'module.rego'): string {
  const mod = parseModule(src, file, { regoVersion: 'v0' });
  if (mod.regoVersion === 'v1') return src;
  const toks = tokenize(src, file).filter((t) => t.kind !== 'eof');
  const edits: Edit[] = [];
  const stack: Array<{ tok: Token; index: number; body: boolean }> = [];
  let stmtStart = 0;
  let ruleHead: string | null = null;
  let lastBodyClose = -1;
  /** A statement without a body that is a partial set member (`p[1]`) takes `contains` too. */
  const endStatement = (end: number): void => {
    const first = toks[stmtStart];
    if (ruleHead !== null || end <= stmtStart || first?.kind !== 'ident' || ['package', 'import', 'default'].includes(first.text)) return;
    headText(src, toks, stmtStart, end, edits);
  };

  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const depth0 = stack.length === 0;
    if (depth0 && i > 0 && t.nl && !(t.kind === 'ident' && t.text === 'else') && !(t.kind === 'op' && t.text === '{')) {
      endStatement(i);
      stmtStart = i;
      ruleHead = null;
    }
    if (depth0 && t.kind === 'ident' && t.text === 'import' && toks[i + 1]?.text === 'future' && (i === 0 || t.nl)) {
      let j = i + 1;
      while (j + 1 < toks.length && !toks[j + 1]!.nl) j++;
      edits.push({ at: t.start, remove: toks[j]!.end - t.start, insert: '' });
      i = j;
      continue;
    }
    if (t.kind === 'op' && t.text in OPEN) {
      let body = false;
      if (depth0 && t.text === '{' && i > 0) {
        const prev = toks[i - 1]!;
        body = prev.kind !== 'op' || !VALUE_BEFORE.has(prev.text);
        if (body) {
          if (i - 1 === lastBodyClose) {
            // another body of the same rule: v1 has one body per rule, so repeat the head
            if (ruleHead === null) throw new Error(`${file}:${t.row}: cannot convert a rule body that follows no rule head`);
            edits.push({ at: prev.end, remove: t.start - prev.end, insert: `\n${ruleHead} if ` });
          } else {
            if (ruleHead === null && toks[stmtStart]?.text !== 'else') ruleHead = headText(src, toks, stmtStart, i, edits);
            if (!(prev.kind === 'ident' && prev.text === 'if')) edits.push({ at: t.start, remove: 0, insert: prev.end === t.start ? ' if ' : 'if ' });
          }
        }
      }
      stack.push({ tok: t, index: i, body });
      continue;
    }
    if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) {
      const open = stack.pop();
      if (open && open.body && stack.length === 0) lastBodyClose = i;
    }
  }

  endStatement(toks.length);

  const pkg = toks.findIndex((t) => t.kind === 'ident' && t.text === 'package');
  let pkgEnd = pkg;
  while (pkgEnd + 1 < toks.length && !toks[pkgEnd + 1]!.nl) pkgEnd++;
  edits.push({ at: toks[pkgEnd]!.end, remove: 0, insert: '\n\nimport rego.v1' });

  let out = src;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  out = out.replace(/\n{3,}/g, '\n\n');
  parseModule(out, file, { regoVersion: 'v1' });
  return out;
}

/**
 * The v1 text of the head `toks[from..to)`: a partial set head (`p[x]`: no value, no arguments,
 * ending in `[…]`) becomes `p contains x`, with the edits for that pushed to `edits`.
 */
function headText(src: string, toks: Token[], from: number, to: number, edits: Edit[]): string {
  let depth = 0;
  let lastOpen = -1;
  let plain = true;
  for (let k = from; k < to; k++) {
    const t = toks[k]!;
    if (t.kind !== 'op') continue;
    if (depth === 0 && (t.text === '=' || t.text === ':=' || t.text === '(')) plain = false;
    if (t.text in OPEN) {
      if (depth === 0) lastOpen = k;
      depth++;
    } else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
  }
  const first = toks[from]!;
  const last = toks[to - 1]!;
  const isDefault = first.kind === 'ident' && first.text === 'default';
  if (plain && !isDefault && last.kind === 'op' && last.text === ']' && lastOpen > from && toks[lastOpen]!.text === '[') {
    const open = toks[lastOpen]!;
    edits.push({ at: open.start, remove: open.end - open.start, insert: ' contains ' });
    edits.push({ at: last.start, remove: last.end - last.start, insert: '' });
    return `${src.slice(first.start, open.start)} contains ${src.slice(open.end, last.start)}`;
  }
  return src.slice(first.start, last.end);
}
