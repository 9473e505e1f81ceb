import { ValidationError } from '../shared/errors.js';
import { dataPathSegments } from './path-syntax.js';

/**
 * Paths of the data API (`/v1/data/a/b` → ['a', 'b']) and the edits on the base document
 * they name. Pure functions on plain JSON; the caller stores the result as a new revision.
 */
export function splitPath(path: string): string[] {
  return dataPathSegments(path);
}

/** The Rego ref of a path: `data["a"]["b"]` (any segment text is safe inside a string key). */
export function refOf(segments: readonly string[]): string {
  return `data${segments.map((s) => `[${JSON.stringify(s)}]`).join('')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of `root` with `value` at `segments` (intermediate objects created, as OPA's PUT does). */
export function setAt(root: Record<string, unknown>, segments: readonly string[], value: unknown): Record<string, unknown> {
  if (segments.length === 0) {
    if (!isObject(value)) throw new ValidationError('the root data document must be a JSON object', { field: 'body' });
    return structuredClone(value);
  }
  const copy = structuredClone(root);
  let cur = copy;
  for (const seg of segments.slice(0, -1)) {
    const next = cur[seg];
    if (next === undefined) cur[seg] = {};
    else if (!isObject(next)) throw new ValidationError(`data at '${seg}' is not an object, so nothing can be written below it`, { field: 'path' });
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[segments[segments.length - 1]!] = structuredClone(value);
  return copy;
}

/** A copy of `root` without the document at `segments`, or null when there is none. */
export function deleteAt(root: Record<string, unknown>, segments: readonly string[]): Record<string, unknown> | null {
  if (segments.length === 0) return {};
  const copy = structuredClone(root);
  let cur: unknown = copy;
  for (const seg of segments.slice(0, -1)) {
    if (!isObject(cur) || !(seg in cur)) return null;
    cur = cur[seg];
  }
  const last = segments[segments.length - 1]!;
  if (!isObject(cur) || !(last in cur)) return null;
  delete cur[last];
  return copy;
}
