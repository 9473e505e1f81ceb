/**
 * METADATA annotations (OPA's ast/annotations.go): `# METADATA` comment blocks holding YAML,
 * attached to the package or rule that follows, and the values `rego.metadata.rule()` and
 * `rego.metadata.chain()` return for a rule. The compiler folds those calls into constants,
 * as OPA's compiler does (rewriteRegoMetadataCalls).
 */
import { parse as parseYaml } from 'yaml';
import type { Loc, Module, Rule } from './ast.js';
import { parseError } from './errors.js';
import type { Comment } from './lexer.js';
import { fromJSON, RObject, type Value } from './value.js';

export type AnnotationScope = 'package' | 'subpackages' | 'document' | 'rule';

export interface Annotation {
  scope: AnnotationScope;
  /** the rule the block precedes, or null for the package */
  rule: Rule | null;
  /** the annotation object as OPA prints it (scope, title, description, authors, ...) */
  value: RObject;
  loc: Loc;
}

const SCOPES: readonly AnnotationScope[] = ['package', 'subpackages', 'document', 'rule'];

/** Fields OPA knows, and how each YAML value becomes its Rego value. */
const FIELDS: Readonly<Record<string, (v: unknown) => Value>> = {
  scope: (v) => String(v),
  title: (v) => String(v),
  description: (v) => String(v),
  entrypoint: (v) => v === true,
  organizations: (v) => (Array.isArray(v) ? v.map(String) : [String(v)]),
  authors: (v) => (Array.isArray(v) ? v : [v]).map(author),
  related_resources: (v) => (Array.isArray(v) ? v : [v]).map((r) => (typeof r === 'string' ? fromJSON({ ref: r }) : fromJSON(r))),
  schemas: (v) => fromJSON(v),
  custom: (v) => fromJSON(v),
};

/** `Jane Doe <jane@example.com>` → {name, email}, as OPA's author parser does. */
function author(v: unknown): Value {
  if (typeof v !== 'string') return fromJSON(v);
  const m = /^(.*?)\s*<([^<>]*)>\s*$/.exec(v.trim());
  const o: Record<string, string> = {};
  if (m) {
    if (m[1]) o.name = m[1];
    if (m[2]) o.email = m[2];
  } else o.name = v.trim();
  return fromJSON(o);
}

/** The annotation blocks of a parsed module, each attached to the statement after it. */
export function moduleAnnotations(mod: Module, comments: Comment[], file: string): Annotation[] {
  const blocks: { loc: Loc; lines: string[]; lastRow: number }[] = [];
  let cur: (typeof blocks)[number] | null = null;
  let prevRow = -1;
  for (const c of comments) {
    if (cur && c.row === prevRow + 1 && c.col === 1 && !c.text.trim().startsWith('METADATA')) {
      cur.lines.push(c.text.startsWith(' ') ? c.text.slice(1) : c.text);
      cur.lastRow = c.row;
    } else if (c.text.trim().startsWith('METADATA')) {
      cur = { loc: { file, row: c.row, col: c.col }, lines: [], lastRow: c.row };
      blocks.push(cur);
    } else cur = null;
    prevRow = c.row;
  }
  const out: Annotation[] = [];
  for (const b of blocks) {
    let doc: unknown;
    try {
      doc = parseYaml(b.lines.join('\n'));
    } catch (e) {
      throw parseError(`yaml: ${(e as Error).message.split('\n')[0]}`, b.loc);
    }
    if (doc === null || doc === undefined) doc = {};
    if (typeof doc !== 'object' || Array.isArray(doc)) throw parseError('yaml: annotation must be a mapping', b.loc);
    const rule = mod.rules.find((r) => r.loc.row > b.lastRow) ?? null;
    const onPackage = mod.pkgLoc.row > b.lastRow && (rule === null || mod.pkgLoc.row < rule.loc.row);
    if (!onPackage && rule === null) continue;
    const fields = doc as Record<string, unknown>;
    const scope = (fields.scope ?? (onPackage ? 'package' : 'rule')) as AnnotationScope;
    if (!SCOPES.includes(scope)) throw parseError(`invalid annotation scope '${String(scope)}'`, b.loc);
    const value = new RObject();
    for (const [key, raw] of Object.entries({ ...fields, scope })) {
      const convert = FIELDS[key];
      if (!convert) throw parseError(`invalid annotation key '${key}'`, b.loc);
      value.set(key, convert(raw));
    }
    out.push({ scope, rule: onPackage ? null : rule, value, loc: b.loc });
  }
  return out;
}

/** Annotations of all modules, looked up by rule, document path and package path. */
export class AnnotationIndex {
  private readonly byRule = new Map<Rule, RObject>();
  private readonly documents = new Map<string, RObject>();
  private readonly packages = new Map<string, RObject>();
  private readonly subpackages = new Map<string, RObject>();

  constructor(modules: readonly Module[]) {
    for (const mod of modules) {
      for (const a of mod.annotations ?? []) {
        const target = a.rule ? [...mod.pkg, ...groundNames(a.rule)] : mod.pkg;
        const key = target.join('\u0000');
        if (a.scope === 'rule' && a.rule) this.byRule.set(a.rule, a.value);
        else if (a.scope === 'document') setOnce(this.documents, key, a.value);
        else if (a.scope === 'package') setOnce(this.packages, mod.pkg.join('\u0000'), a.value);
        else if (a.scope === 'subpackages') setOnce(this.subpackages, mod.pkg.join('\u0000'), a.value);
      }
    }
  }

  get empty(): boolean {
    return this.byRule.size + this.documents.size + this.packages.size + this.subpackages.size === 0;
  }

  /** rego.metadata.rule(): the rule's own annotations, else its document's, else {}. */
  ruleValue(rule: Rule, pkg: readonly string[]): Value {
    return this.byRule.get(rule) ?? this.documents.get([...pkg, ...groundNames(rule)].join('\u0000')) ?? new RObject();
  }

  /** rego.metadata.chain(): the rule, its document, its package and enclosing subpackages. */
  chainValue(rule: Rule, pkg: readonly string[]): Value {
    const path = [...pkg, ...groundNames(rule)];
    const entry = (p: readonly string[], annotations?: RObject): Value => {
      const o = new RObject();
      o.set('path', [...p]);
      if (annotations) o.set('annotations', annotations);
      return o;
    };
    const out: Value[] = [entry(path, this.byRule.get(rule))];
    const doc = this.documents.get(path.join('\u0000'));
    if (doc) out.push(entry(path, doc));
    const pkgAnnotations = this.packages.get(pkg.join('\u0000'));
    if (pkgAnnotations) out.push(entry(pkg, pkgAnnotations));
    for (let i = pkg.length; i >= 0; i--) {
      const sub = this.subpackages.get(pkg.slice(0, i).join('\u0000'));
      if (sub) out.push(entry(pkg.slice(0, i), sub));
    }
    return out;
  }
}

function setOnce(m: Map<string, RObject>, key: string, v: RObject): void {
  if (!m.has(key)) m.set(key, v);
}

/** The leading string names of a rule head (`p`, `a.b` of `a.b[x]`). */
function groundNames(rule: Rule): string[] {
  const out: string[] = [];
  for (const t of rule.head.ref) {
    if (t.t !== 'scalar' || typeof t.v !== 'string') break;
    out.push(t.v);
  }
  return out;
}
