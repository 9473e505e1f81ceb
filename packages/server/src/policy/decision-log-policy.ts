/**
 * Decision-log policy, as OPA's `system.log` package: before a `policy.decision` entry is
 * written, the package named by `policy.decisionLogPackage` (default `system.log`) is evaluated
 * with the entry-to-be as input. Its `mask` rule names fields of the LOGGED input to remove (JSON
 * pointers such as "/input/context/password") or replace (`{"op": "upsert", "path", "value"}`);
 * its `drop` rule, when true, keeps an `allow` out of the log. The decision itself was made on
 * the whole input before any of this runs.
 *
 * What the rules cannot do, by construction: drop a deny, an approval_required or an errored
 * decision (the entry is written and says `log_drop_refused`), or drop an allow that spent an
 * approval (that entry commits with the spending). A failure of the rules themselves never
 * loses the entry: it is written with its whole input removed and `log_policy_error` saying why
 * (a failing mask must not leak what it was meant to hide). With no such package in the loaded
 * policy nothing is evaluated at all.
 */
import { createHash } from 'node:crypto';
import { fromJSON, RObject, RSet, toJS, type Value } from '@mandate/rego';
import type { EvalLimitSettings, EvaluablePolicy } from './package-eval.js';
import type { ActivePolicy } from './service.js';

export const DEFAULT_LOG_PACKAGE = 'system.log';
/** Most mask operations one decision's rules may return; more is a log-policy error. */
export const MAX_MASK_OPS = 256;

/** What the log rules see as `input` (OPA's decision event, plus Mandate's `sample`). */
export interface LogRuleInput {
  decision_id: string;
  input: unknown;
  result: { decision: string; reasons: string[]; obligations: unknown[] };
  package: string;
  policy_revision: number;
  now_ms: number;
  caller: { id: string; kind: string };
  /** 0–9999 from the decision id's SHA-256: `drop if input.sample >= 1000` keeps 10 % of allows, the same ones on every replica. */
  sample: number;
}

/** How the log policy treats one entry. */
export type LogTreatment =
  | { kind: 'none' }
  | { kind: 'applied'; input: unknown; masked: string[]; drop: boolean }
  | { kind: 'failed'; error: string };

type MaskOp = { op: 'remove' } | { op: 'upsert'; value: unknown };

export class LogPolicyError extends Error {}

/** A deterministic 0–9999 from a decision id (uniform, unguessable before the id exists). */
export function sampleOf(decisionId: string): number {
  return createHash('sha256').update(decisionId).digest().readUInt32BE(0) % 10_000;
}

/** True when the loaded policy has the log package (the only cost when it has not). */
export function hasLogPackage(active: ActivePolicy | EvaluablePolicy, pkg: string): boolean {
  const node = active.prepared.tree.node(pkg.split('.'), false);
  return Boolean(node && node.hasRules);
}

/**
 * Evaluates the log package for `event` and applies its mask to a copy of `event.input`
 * (which the caller built for the log alone). Never throws: a failure is `{kind: 'failed'}`.
 */
export function treatLogEntry(active: EvaluablePolicy, pkg: string, event: LogRuleInput, nowNs: bigint, limits: EvalLimitSettings): LogTreatment {
  if (!hasLogPackage(active, pkg)) return { kind: 'none' };
  try {
    const doc = active.prepared.evaluate(`data.${pkg}`, { input: fromJSON(event), data: active.data, nowNs, limits });
    const at = (rule: string): Value | undefined => (doc instanceof RObject ? doc.get(rule) : undefined);
    const drop = at('drop');
    if (drop !== undefined && typeof drop !== 'boolean') throw new LogPolicyError(`${pkg}.drop must be a boolean`);
    const ops = maskOps(at('mask'), pkg);
    const masked: string[] = [];
    const input = event.input;
    for (const [path, op] of ops) {
      if (applyMask({ input }, path, op)) masked.push(path);
    }
    return { kind: 'applied', input, masked: masked.sort(), drop: drop === true };
  } catch (error) {
    const why = error instanceof LogPolicyError ? error.message : `${pkg} failed: ${(error as { code?: string }).code ?? (error as Error).message}`;
    return { kind: 'failed', error: why };
  }
}

/** The `mask` set as (path, op) pairs; every path must point inside `/input`. */
function maskOps(mask: Value | undefined, pkg: string): [string, MaskOp][] {
  if (mask === undefined) return [];
  if (!(mask instanceof RSet) && !Array.isArray(mask)) throw new LogPolicyError(`${pkg}.mask must be a set of JSON pointers or {op, path, value} objects`);
  const items = (mask instanceof RSet ? mask.values() : mask).map(toJS);
  if (items.length > MAX_MASK_OPS) throw new LogPolicyError(`${pkg}.mask has ${items.length} operations; the limit is ${MAX_MASK_OPS}`);
  return items.map((item): [string, MaskOp] => {
    if (typeof item === 'string') return [checkedPath(item, pkg), { op: 'remove' }];
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const { op, path, value } = item as Record<string, unknown>;
      if ((op === 'remove' || op === undefined) && typeof path === 'string') return [checkedPath(path, pkg), { op: 'remove' }];
      if (op === 'upsert' && typeof path === 'string') return [checkedPath(path, pkg), { op: 'upsert', value }];
    }
    throw new LogPolicyError(`${pkg}.mask entry ${JSON.stringify(item)} is neither a JSON pointer nor {"op": "remove"|"upsert", "path", "value"}`);
  });
}

function checkedPath(path: string, pkg: string): string {
  if (!path.startsWith('/input/')) throw new LogPolicyError(`${pkg}.mask path '${path}' must start with /input/ (only the logged input can be masked)`);
  return path;
}

/** RFC 6901 segments of a pointer. */
function segments(path: string): string[] {
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Applies one operation in place. A remove of an absent field does nothing; an upsert sets
 * the field when its parent exists (as OPA's). Returns whether anything changed.
 */
function applyMask(root: Record<string, unknown>, path: string, op: MaskOp): boolean {
  const parts = segments(path);
  const last = parts.pop()!;
  let node: unknown = root;
  for (const part of parts) {
    if (Array.isArray(node)) node = /^\d+$/.test(part) ? node[Number(part)] : undefined;
    else node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    if (node === undefined) return false;
  }
  if (Array.isArray(node)) {
    if (!/^\d+$/.test(last) || Number(last) >= node.length) return false;
    if (op.op === 'remove') node.splice(Number(last), 1);
    else node[Number(last)] = op.value;
    return true;
  }
  if (node === null || typeof node !== 'object') return false;
  const holder = node as Record<string, unknown>;
  if (op.op === 'remove') {
    if (!(last in holder)) return false;
    delete holder[last];
    return true;
  }
  holder[last] = op.value;
  return true;
}
