/**
 * Rego parser: modules (v1 syntax and the older v0 syntax), queries and single terms.
 * Errors are RegoError(rego_parse_error) with file:line:col, what was found and what was expected.
 */
import type { Expr, ExprKind, Import, Loc, Module, Rule, RuleHead, Term, With } from './ast.js';
import { parseError, RegoError, RegoErrors } from './errors.js';
import { moduleAnnotations } from './annotations.js';
import { tokenize, type Comment, type Token } from './lexer.js';
import { numberFromText } from './value.js';

export type RegoVersion = 'v0' | 'v1';

export interface ParseOptions {
  /** Syntax to assume when the module does not say (`import rego.v1` always selects v1). Default v1. */
  regoVersion?: RegoVersion;
}

/** Infix operators by precedence level (lowest first) and the builtin each calls. */
const INFIX_LEVELS: readonly (Readonly<Record<string, string>>)[] = [
  { '==': 'equal', '!=': 'neq', '<': 'lt', '>': 'gt', '<=': 'lte', '>=': 'gte' },
  { '|': 'or' },
  { '&': 'and' },
  { '+': 'plus', '-': 'minus' },
  { '*': 'mul', '/': 'div', '%': 'rem' },
];

/** Keywords of Rego v1 (OPA's IsKeywordInRegoVersion): not usable as rule names. */
const V1_KEYWORDS = new Set(['as', 'default', 'else', 'false', 'import', 'not', 'null', 'package', 'some', 'true', 'with', 'contains', 'every', 'if', 'in']);

class Parser {
  private i = 0;
  private depth = 0;
  private noPipe = false;
  version: RegoVersion;
  /** Rego v1 violations (OPA reports them all, then fails the parse). */
  readonly errors: RegoError[] = [];
  /** What the last rule head used (for the v1 checks). */
  private headInfo = { usesContains: false, lastBracket: false };

  constructor(
    private readonly toks: Token[],
    readonly file: string,
    version: RegoVersion,
  ) {
    this.version = version;
  }

  // ---- token helpers -------------------------------------------------------------------
  peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  next(): Token {
    return this.toks[this.i++]!;
  }
  loc(t: Token = this.peek()): Loc {
    return { file: this.file, row: t.row, col: t.col };
  }
  isOp(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t.kind === 'op' && t.text === text;
  }
  isIdent(text: string, o = 0): boolean {
    const t = this.peek(o);
    return t.kind === 'ident' && t.text === text;
  }
  fail(expected: string, t: Token = this.peek()): never {
    const found = t.kind === 'eof' ? 'end of input' : t.kind === 'string' ? `string ${JSON.stringify(t.text)}` : `"${t.text}"`;
    throw parseError(`unexpected ${found}: expected ${expected}`, this.loc(t));
  }
  expectOp(text: string): Token {
    if (!this.isOp(text)) this.fail(`"${text}"`);
    return this.next();
  }
  expectIdent(): Token {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail('identifier');
    return this.next();
  }
  /** A keyword, unless used as a ref head (`else.foo`, keywordrefs). */
  isKw(text: string): boolean {
    return this.isIdent(text) && !(this.isOp('.', 1) && !this.peek(1).ws);
  }
  /** At depth 0 a token on a new line ends the current expression. */
  brokenLine(t: Token = this.peek()): boolean {
    return this.depth === 0 && t.nl;
  }

  // ---- module ----------------------------------------------------------------------------
  parseModule(): Module {
    const pkgTok = this.peek();
    if (!this.isIdent('package')) this.fail('package declaration');
    this.next();
    const pkg = this.parseDottedPath();
    const imports: Import[] = [];
    const rules: Rule[] = [];
    while (this.isKw('import')) imports.push(this.parseImport());
    for (const imp of imports) {
      const p = refNames(imp.path);
      if (p && p[0] === 'rego' && (p[1] === 'v1' || p[1] === 'v2')) this.version = 'v1';
    }
    while (this.peek().kind !== 'eof') {
      if (this.isKw('import')) {
        imports.push(this.parseImport());
        continue;
      }
      rules.push(...this.parseRule());
    }
    if (this.errors.length === 1) throw this.errors[0]!;
    if (this.errors.length > 1) throw new RegoErrors(this.errors);
    return { file: this.file, pkg, pkgLoc: this.loc(pkgTok), imports, rules, regoVersion: this.version };
  }

  parseDottedPath(): string[] {
    const out = [this.expectIdent().text];
    for (;;) {
      if (this.isOp('.') && !this.peek().ws) {
        this.next();
        const t = this.next();
        if (t.kind !== 'ident') this.fail('identifier', t);
        out.push(t.text);
      } else if (this.isOp('[') && !this.peek().ws) {
        this.next();
        const t = this.next();
        if (t.kind !== 'string') this.fail('string', t);
        out.push(t.text);
        this.expectOp(']');
      } else break;
    }
    return out;
  }

  parseImport(): Import {
    const start = this.next();
    const loc = this.loc(start);
    const names = this.parseDottedPath();
    const root = names[0]!;
    if (!['data', 'input', 'future', 'rego'].includes(root)) {
      throw parseError(`invalid import path ${names.join('.')}: must begin with input, data, future or rego`, loc);
    }
    const path: Term = {
      t: 'ref',
      head: { t: 'var', name: root, loc },
      path: names.slice(1).map((n) => ({ t: 'scalar', v: n, loc }) as Term),
      loc,
    };
    let alias: string | null = null;
    if (this.isIdent('as') && !this.peek().nl) {
      this.next();
      alias = this.expectIdent().text;
    }
    return { path, alias, loc };
  }

  parseRule(): Rule[] {
    const start = this.peek();
    const loc = this.loc(start);
    let isDefault = false;
    if (this.isKw('default') && this.peek(1).kind === 'ident') {
      this.next();
      isDefault = true;
    }
    const head = this.parseRuleHead(loc);
    if (isDefault) {
      if (!head.value) this.fail('"=" or ":=" with a value after default rule name');
      return [{ head, body: [], isDefault, elses: [], loc }];
    }
    const rules: Rule[] = [];
    let hasIf = false;
    if (this.isIdent('if')) {
      this.next();
      hasIf = true;
    }
    if (this.version === 'v1') this.checkV1Rule(head, hasIf, loc);
    let body: Expr[] = [];
    if (this.isOp('{')) body = this.parseBraceBody();
    else if (hasIf) body = [this.parseLiteral()];
    const elses: Rule['elses'] = [];
    rules.push({ head, body, isDefault: false, elses, loc });
    // v0: further bodies `p { a } { b }` define more rules with the same head
    while (this.isOp('{') && !hasIf) {
      rules.push({ head, body: this.parseBraceBody(), isDefault: false, elses: [], loc });
    }
    while (this.isKw('else')) {
      const et = this.next();
      let value: Term | null = null;
      if (this.isOp('=') || this.isOp(':=')) {
        this.next();
        value = this.parseInfix();
      }
      let ebody: Expr[] = [];
      if (this.isIdent('if')) {
        this.next();
        ebody = this.isOp('{') ? this.parseBraceBody() : [this.parseLiteral()];
      } else if (this.isOp('{')) ebody = this.parseBraceBody();
      elses.push({ value, body: ebody, loc: this.loc(et) });
    }
    return rules;
  }

  /**
   * OPA 1.x's checkRegoV1Rule: a body needs `if`, a multi-value rule (`p[x] { }`) needs
   * `contains`. Both are reported at the rule's start, and parsing goes on.
   */
  private checkV1Rule(head: RuleHead, hasIf: boolean, loc: Loc): void {
    const { usesContains, lastBracket } = this.headInfo;
    const name = head.ref[0];
    if (head.ref.length === 1 && name?.t === 'scalar' && V1_KEYWORDS.has(String(name.v))) {
      this.errors.push(parseError(`${String(name.v)} keyword cannot be used for rule name`, loc));
    }
    const hasBody = hasIf || this.isOp('{');
    if (hasBody && !hasIf) {
      this.errors.push(parseError(`\`if\` keyword is required before ${head.args ? 'function' : 'rule'} body`, loc));
    }
    const multiValue = !hasIf && !usesContains && head.args === null && head.value === null && head.ref.length === 2 && lastBracket;
    if (multiValue) this.errors.push(parseError('`contains` keyword is required for partial set rules', loc));
    if (!hasBody && !usesContains && head.value === null) {
      this.fail('"if", "contains", "=" or ":=" after rule head');
    }
  }

  parseRuleHead(loc: Loc): RuleHead {
    const nameTok = this.expectIdent();
    const ref: Term[] = [{ t: 'scalar', v: nameTok.text, loc: this.loc(nameTok) }];
    let lastBracket = false;
    for (;;) {
      if (this.isOp('.') && !this.peek().ws) {
        this.next();
        lastBracket = false;
        const t = this.next();
        if (t.kind !== 'ident') this.fail('identifier', t);
        ref.push({ t: 'scalar', v: t.text, loc: this.loc(t) });
      } else if (this.isOp('[') && !this.peek().ws) {
        this.next();
        lastBracket = true;
        this.depth++;
        ref.push(this.parseInfix());
        this.depth--;
        this.expectOp(']');
      } else break;
    }
    let args: Term[] | null = null;
    if (this.isOp('(') && !this.peek().ws) {
      this.next();
      this.depth++;
      args = [];
      if (!this.isOp(')')) {
        for (;;) {
          args.push(this.parseInfix());
          if (this.isOp(',')) {
            this.next();
            continue;
          }
          break;
        }
      }
      this.depth--;
      this.expectOp(')');
    }
    let value: Term | null = null;
    let key: Term | null = null;
    let assign = false;
    const usesContains = this.isIdent('contains');
    this.headInfo = { usesContains, lastBracket };
    if (usesContains) {
      this.next();
      key = this.parseInfix();
    } else if (this.isOp('=') || this.isOp(':=')) {
      assign = this.next().text === ':=';
      value = this.parseInfix();
    } else if (args === null && this.version === 'v0' && ref.length > 1 && lastBracket && !this.isIdent('if')) {
      // v0 partial set: p[x] { ... }
      key = ref.pop()!;
    }
    return { ref, args, value, key, assign, loc };
  }

  parseBraceBody(): Expr[] {
    this.expectOp('{');
    const saved = this.depth;
    const savedPipe = this.noPipe;
    this.depth = 0;
    this.noPipe = false;
    const body: Expr[] = [];
    while (!this.isOp('}')) {
      if (this.isOp(';')) {
        this.next();
        continue;
      }
      body.push(this.parseLiteral());
      const t = this.peek();
      if (this.isOp(';')) this.next();
      else if (!this.isOp('}') && !t.nl) this.fail('";", a new line or "}" after expression');
    }
    this.next();
    this.depth = saved;
    this.noPipe = savedPipe;
    if (body.length === 0) this.fail('expression in rule body', this.toks[this.i - 1]);
    return body;
  }

  /** Body of a query: literals separated by ";" or new lines. */
  parseQueryBody(): Expr[] {
    const body: Expr[] = [];
    while (this.peek().kind !== 'eof') {
      if (this.isOp(';')) {
        this.next();
        continue;
      }
      body.push(this.parseLiteral());
      const t = this.peek();
      if (this.isOp(';')) this.next();
      else if (t.kind !== 'eof' && !t.nl) this.fail('";" or a new line after expression');
    }
    if (body.length === 0) this.fail('query');
    return body;
  }

  // ---- literals --------------------------------------------------------------------------
  parseLiteral(): Expr {
    const start = this.peek();
    const loc = this.loc(start);
    if (this.isIdent('some') && this.peek(1).kind !== 'op') {
      this.next();
      return { e: this.parseSome(), negated: false, with: this.parseWiths(), loc };
    }
    if (this.isIdent('some') && (this.isOp('[', 1) || this.isOp('{', 1) || this.isOp('(', 1))) {
      this.next();
      return { e: this.parseSome(), negated: false, with: this.parseWiths(), loc };
    }
    if (this.isIdent('every') && this.peek(1).kind !== 'op') {
      this.next();
      return { e: this.parseEvery(), negated: false, with: this.parseWiths(), loc };
    }
    let negated = false;
    if (this.isIdent('not') && !(this.peek(1).kind === 'op' && ['=', ':=', '.', '['].includes(this.peek(1).text) && !this.peek(1).ws)) {
      this.next();
      negated = true;
      if (this.isOp('{')) {
        const body = this.parseBraceBody();
        return { e: { k: 'notbody', body }, negated: true, with: this.parseWiths(), loc };
      }
    }
    const e = this.parseExprKind();
    return { e, negated, with: this.parseWiths(), loc };
  }

  parseWiths(): With[] {
    const out: With[] = [];
    while (this.isKw('with')) {
      const w = this.next();
      const target = this.parseTerm();
      if (!this.isIdent('as')) this.fail('"as"');
      this.next();
      const value = this.parseInfix();
      out.push({ target, value, loc: this.loc(w) });
    }
    return out;
  }

  parseSome(): ExprKind {
    const first = this.parseLevel(1);
    if (this.isOp(',') || this.isIdent('in')) {
      const terms = [first];
      while (this.isOp(',')) {
        this.next();
        terms.push(this.parseLevel(1));
      }
      if (this.isIdent('in')) {
        this.next();
        const domain = this.parseLevel(1);
        if (terms.length > 2) this.fail('at most two terms before "in"');
        return terms.length === 2
          ? { k: 'somein', key: terms[0]!, value: terms[1]!, domain }
          : { k: 'somein', key: null, value: terms[0]!, domain };
      }
      for (const v of terms) if (v.t !== 'var') throw parseError('expected var in some declaration', v.loc);
      return { k: 'somevars', vars: terms };
    }
    if (first.t !== 'var') throw parseError('expected var in some declaration', first.loc);
    return { k: 'somevars', vars: [first] };
  }

  parseEvery(): ExprKind {
    const first = this.parseTerm();
    let key: Term | null = null;
    let value = first;
    if (this.isOp(',')) {
      this.next();
      key = first;
      value = this.parseTerm();
    }
    if (!this.isIdent('in')) this.fail('"in"');
    this.next();
    const domain = this.parseLevel(1);
    const body = this.parseBraceBody();
    return { k: 'every', key, value, domain, body };
  }

  parseExprKind(): ExprKind {
    const left = this.parseInfix(true);
    if ((this.isOp('=') || this.isOp(':=')) && !this.brokenLine()) {
      const op = this.next().text;
      const right = this.parseInfix(true);
      return op === '=' ? { k: 'unify', left, right } : { k: 'assign', left, right };
    }
    return { k: 'term', term: left };
  }

  // ---- terms -----------------------------------------------------------------------------
  /** Full infix term, including `x in coll` (lowest precedence). */
  parseInfix(allowKeyValue = false): Term {
    let left = this.parseLevel(0);
    if (allowKeyValue && this.isOp(',')) {
      // `k, v in coll` (only where a comma cannot separate list items)
      const save = this.i;
      this.next();
      const v = this.parseLevel(0);
      if (this.isIdent('in')) {
        this.next();
        const domain = this.parseLevel(0);
        left = { t: 'call', op: 'internal.member_3', args: [left, v, domain], loc: left.loc };
      } else this.i = save;
    }
    while (this.isIdent('in') && !this.brokenLine()) {
      this.next();
      const right = this.parseLevel(0);
      left = { t: 'call', op: 'internal.member_2', args: [left, right], loc: left.loc };
    }
    return left;
  }

  /** Infix operators from precedence level `lvl` up. Level 1 skips relations (for `some`). */
  parseLevel(lvl: number): Term {
    if (lvl >= INFIX_LEVELS.length) return this.parseUnary();
    let left = this.parseLevel(lvl + 1);
    const ops = INFIX_LEVELS[lvl]!;
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !(t.text in ops) || this.brokenLine(t)) break;
      if (t.text === '|' && this.noPipe) break;
      this.next();
      const right = this.parseLevel(lvl + 1);
      left = { t: 'call', op: ops[t.text]!, args: [left, right], loc: this.loc(t) };
    }
    return left;
  }

  parseUnary(): Term {
    if (this.isOp('-')) {
      const t = this.next();
      const n = this.peek();
      if (n.kind === 'number' && !n.ws) {
        this.next();
        return this.parsePostfix({ t: 'scalar', v: numberFromText('-' + n.text), loc: this.loc(t) });
      }
      const operand = this.parseUnary();
      return { t: 'call', op: 'minus', args: [{ t: 'scalar', v: 0, loc: this.loc(t) }, operand], loc: this.loc(t) };
    }
    return this.parseTerm();
  }

  parseTerm(): Term {
    return this.parsePostfix(this.parsePrimary());
  }

  parsePrimary(): Term {
    const t = this.peek();
    const loc = this.loc(t);
    switch (t.kind) {
      case 'number':
        this.next();
        return { t: 'scalar', v: numberFromText(t.text), loc };
      case 'string':
        this.next();
        return { t: 'scalar', v: t.text, loc };
      case 'template':
        this.next();
        return this.templateTerm(t, loc);
      case 'ident':
        this.next();
        if (this.isOp('.') && !this.peek().ws) return { t: 'var', name: t.text, loc };
        if (t.text === 'true') return { t: 'scalar', v: true, loc };
        if (t.text === 'false') return { t: 'scalar', v: false, loc };
        if (t.text === 'null') return { t: 'scalar', v: null, loc };
        return { t: 'var', name: t.text, loc };
      case 'op':
        if (t.text === '(') {
          this.next();
          this.depth++;
          const savedPipe = this.noPipe;
          this.noPipe = false;
          const inner = this.parseInfix(true);
          this.noPipe = savedPipe;
          this.depth--;
          this.expectOp(')');
          return inner;
        }
        if (t.text === '[') return this.parseArray();
        if (t.text === '{') return this.parseBraceTerm();
        break;
    }
    return this.fail('term');
  }

  templateTerm(t: Token, loc: Loc): Term {
    const { lit, exprs } = t.parts!;
    const parts: (string | Term)[] = [];
    const spread: number[] = [];
    for (let k = 0; k < lit.length; k++) {
      if (lit[k]) parts.push(lit[k]!);
      const ex = exprs[k];
      if (ex) {
        const toks = tokenize(ex.src, this.file).map((x) => ({ ...x, row: x.row + ex.row - 1, col: x.row === 1 ? x.col + ex.col : x.col }));
        const sub = new Parser(toks, this.file, this.version);
        sub.depth = 1;
        const term = sub.parseInfix();
        const withs = sub.parseWiths();
        if (sub.peek().kind !== 'eof') sub.fail('"}" after template expression');
        if (withs.length === 0) parts.push(term);
        else {
          // `{expr with ...}`: the set of the expression's values under the modifiers (OPA's rewrite)
          const v: Term = { t: 'var', name: '$tpl', loc: term.loc };
          spread.push(parts.length);
          parts.push({ t: 'setcompr', head: v, body: [{ e: { k: 'unify', left: v, right: term }, negated: false, with: withs, loc: term.loc }], loc: term.loc });
        }
      }
    }
    return spread.length > 0 ? { t: 'template', parts, spread, loc } : { t: 'template', parts, loc };
  }

  /**
   * Parses a bracketed term after its opening token: tracks nesting depth and restores the
   * comprehension-pipe flag however the inner parse ends.
   */
  private inBrackets<T>(parse: (loc: Loc) => T): T {
    const loc = this.loc(this.next());
    this.depth++;
    const savedPipe = this.noPipe;
    try {
      return parse(loc);
    } finally {
      this.noPipe = savedPipe;
      this.depth--;
    }
  }

  parseArray(): Term {
    return this.inBrackets((loc) => {
      if (this.isOp(']')) {
        this.next();
        return { t: 'array', items: [], loc };
      }
      this.noPipe = true;
      const first = this.parseInfix();
      this.noPipe = false;
      if (this.isOp('|')) {
        this.next();
        const body = this.parseComprBody(']');
        return { t: 'arraycompr', head: first, body, loc };
      }
      return { t: 'array', items: this.parseItemsAfter(first, ']', () => this.parseInfix()), loc };
    });
  }

  parseBraceTerm(): Term {
    return this.inBrackets((loc) => {
      if (this.isOp('}')) {
        this.next();
        return { t: 'object', items: [], loc };
      }
      this.noPipe = true;
      const first = this.parseInfix();
      if (this.isOp(':')) {
        this.next();
        const value = this.parseInfix();
        this.noPipe = false;
        if (this.isOp('|')) {
          this.next();
          const body = this.parseComprBody('}');
          return { t: 'objcompr', key: first, value, body, loc };
        }
        const items = this.parseItemsAfter<[Term, Term]>([first, value], '}', () => {
          const key = this.parseInfix();
          this.expectOp(':');
          return [key, this.parseInfix()];
        });
        return { t: 'object', items, loc };
      }
      this.noPipe = false;
      if (this.isOp('|')) {
        this.next();
        const body = this.parseComprBody('}');
        return { t: 'setcompr', head: first, body, loc };
      }
      return { t: 'set', items: this.parseItemsAfter(first, '}', () => this.parseInfix()), loc };
    });
  }

  /** The rest of a comma-separated list after its first item, through `close` (a trailing comma is allowed). */
  private parseItemsAfter<T>(first: T, close: string, parseItem: () => T): T[] {
    const items = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(close)) break;
      items.push(parseItem());
    }
    this.expectOp(close);
    return items;
  }

  parseComprBody(close: string): Expr[] {
    const saved = this.depth;
    this.depth = 0;
    const body: Expr[] = [];
    while (!this.isOp(close)) {
      if (this.isOp(';')) {
        this.next();
        continue;
      }
      body.push(this.parseLiteral());
      if (this.isOp(';')) this.next();
      else if (!this.isOp(close) && !this.peek().nl) this.fail(`";", a new line or "${close}"`);
    }
    this.next();
    this.depth = saved;
    if (body.length === 0) this.fail('comprehension body');
    return body;
  }

  parsePostfix(term: Term): Term {
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || t.ws) return term;
      if (t.text === '.') {
        this.next();
        const n = this.next();
        if (n.kind !== 'ident') this.fail('identifier after "."', n);
        term = appendRef(term, { t: 'scalar', v: n.text, loc: this.loc(n) });
      } else if (t.text === '[') {
        if (term.t === 'scalar' && typeof term.v !== 'string') return term;
        this.next();
        this.depth++;
        const savedPipe = this.noPipe;
        this.noPipe = false;
        const idx = this.parseInfix();
        this.noPipe = savedPipe;
        this.depth--;
        this.expectOp(']');
        term = appendRef(term, idx);
      } else if (t.text === '(') {
        const name = callName(term);
        if (name === null) return term;
        this.next();
        this.depth++;
        const savedPipe = this.noPipe;
        this.noPipe = false;
        const args: Term[] = [];
        if (!this.isOp(')')) {
          for (;;) {
            args.push(this.parseInfix());
            if (this.isOp(',')) {
              this.next();
              if (this.isOp(')')) break;
              continue;
            }
            break;
          }
        }
        this.noPipe = savedPipe;
        this.depth--;
        this.expectOp(')');
        term = { t: 'call', op: name, args, loc: term.loc };
      } else return term;
    }
  }
}

function appendRef(term: Term, elem: Term): Term {
  if (term.t === 'ref') return { t: 'ref', head: term.head, path: [...term.path, elem], loc: term.loc };
  return { t: 'ref', head: term, path: [elem], loc: term.loc };
}

/** Name of a callable term: a var or a ref of dotted string names (`data.x.f`, `io.jwt.decode`). */
function callName(term: Term): string | null {
  if (term.t === 'var') return term.name;
  if (term.t === 'ref' && term.head.t === 'var') {
    const names = [term.head.name];
    for (const p of term.path) {
      if (p.t !== 'scalar' || typeof p.v !== 'string') return null;
      names.push(p.v);
    }
    return names.join('.');
  }
  return null;
}

/** Names of a ref made of a var and string path elements, else null. */
export function refNames(term: Term): string[] | null {
  if (term.t === 'var') return [term.name];
  if (term.t !== 'ref' || term.head.t !== 'var') return null;
  const out = [term.head.name];
  for (const p of term.path) {
    if (p.t !== 'scalar' || typeof p.v !== 'string') return null;
    out.push(p.v);
  }
  return out;
}

export function parseModule(src: string, file = 'policy.rego', opts: ParseOptions = {}): Module {
  // comments matter only for annotations; skip collecting them when there are none
  const comments: Comment[] | undefined = src.includes('METADATA') ? [] : undefined;
  const p = new Parser(tokenize(src, file, comments), file, detectVersion(src, opts.regoVersion ?? 'v1'));
  const mod = p.parseModule();
  if (comments && comments.length > 0) {
    const annotations = moduleAnnotations(mod, comments, file);
    if (annotations.length > 0) mod.annotations = annotations;
  }
  return mod;
}

/** v0 unless told otherwise is decided by the caller; `import rego.v1` always means v1. */
function detectVersion(src: string, dflt: RegoVersion): RegoVersion {
  if (dflt === 'v0' && /^\s*import\s+rego\.v[12]\b/m.test(src)) return 'v1';
  return dflt;
}

export function parseQuery(src: string, file = 'query', opts: ParseOptions = {}): Expr[] {
  const p = new Parser(tokenize(src, file), file, opts.regoVersion ?? 'v1');
  return p.parseQueryBody();
}

export function parseTerm(src: string, file = 'term'): Term {
  const p = new Parser(tokenize(src, file), file, 'v1');
  p['depth'] = 1;
  const t = p.parseInfix();
  if (p.peek().kind !== 'eof') p.fail('end of term');
  return t;
}
