import { isLosslessNumber } from 'lossless-json';
import { MandateError, ValidationError } from './errors.js';
import { isUnstorableText, UNSTORABLE_TEXT } from './text-guard.js';

/** The first thing in a request's JSON no part of the server can take, with where it is. */
export interface JsonDefect {
  /** The path, e.g. `body.context.n` (for a bad key: the object holding it). */
  field: string;
  problem: 'unstorable_text' | 'not_finite' | 'too_deep';
}

/**
 * The first defect of a parsed JSON value, depth first. Iterative, so a body nested far past
 * `maxDepth` costs a walk, never a stack overflow; it stops descending at the limit.
 *
 * - text no store can hold (NUL, unpaired surrogates: text-guard.ts), in strings and keys;
 * - a number beyond a double's range: `1e999` parses as Infinity, which the audit log's
 *   canonical JSON, PostgreSQL's numeric columns and the engine's integers all refuse, each
 *   far from the request that sent it (a lossless-json number counts by its text's value);
 * - nesting deeper than `maxDepth` objects and arrays (`value` itself is level 1).
 */
export function findJsonDefect(value: unknown, path: string, maxDepth: number): JsonDefect | null {
  const stack: Array<{ node: unknown; at: string; depth: number }> = [{ node: value, at: path, depth: 0 }];
  while (stack.length > 0) {
    const { node, at, depth } = stack.pop()!;
    if (typeof node === 'string') {
      if (isUnstorableText(node)) return { field: at, problem: 'unstorable_text' };
      continue;
    }
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return { field: at, problem: 'not_finite' };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (isLosslessNumber(node)) {
      if (!Number.isFinite(Number(node.value))) return { field: at, problem: 'not_finite' };
      continue;
    }
    if (depth + 1 > maxDepth) return { field: at, problem: 'too_deep' };
    const entries = Object.entries(node);
    // Pushed last first, so members are visited in order and the first defect is the first in the text.
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, member] = entries[i]!;
      if (isUnstorableText(key)) return { field: at, problem: 'unstorable_text' };
      stack.push({ node: member, at: `${at}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}

/** Nesting beyond a limit: `input_too_deep`, as the decision point's own depth limit answers. */
class TooDeepError extends MandateError {
  constructor(field: string, limit: number, rule: string) {
    super('input_too_deep', 400, `${field} is nested more than ${limit} levels deep (${rule})`, { field, limit, rule });
  }
}

/** The 400 a defect is refused with, naming the field and, for nesting, the limit and its setting. */
export function defectError(defect: JsonDefect, maxDepth: number, rule = 'bodyMaxDepth'): MandateError {
  switch (defect.problem) {
    case 'unstorable_text':
      return new ValidationError(`${defect.field} ${UNSTORABLE_TEXT}`, { field: defect.field });
    case 'not_finite':
      return new ValidationError(`${defect.field} is a number too large to represent (beyond a double's range)`, { field: defect.field });
    case 'too_deep':
      return new TooDeepError(defect.field, maxDepth, rule);
  }
}

/**
 * Throws a 400 naming the first defect among a request's parsed parts (params, querystring,
 * body). The HTTP layer runs it before every route's own validation, so no context meets
 * Infinity, unstorable text or unbounded nesting, and a hostile body is a 400, never a 500 deep
 * in a query, the engine or the audit writer.
 */
export function assertRequestJson(parts: Record<string, unknown>, maxDepth: number): void {
  for (const [part, value] of Object.entries(parts)) {
    const defect = findJsonDefect(value, part, maxDepth);
    if (defect) throw defectError(defect, maxDepth);
  }
}
