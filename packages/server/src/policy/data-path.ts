import { RObject, type Value } from '@mandate/rego';
import { ValidationError } from '../shared/errors.js';
import { dataPathSegments } from './path-syntax.js';

/**
 * Paths of the data API (`/v1/data/a/b` → ['a', 'b']) and the edits on the base document
 * they name. Pure functions on the engine's values; the caller stores the result as a new revision.
 */
export function splitPath(path: string): string[] {
  return dataPathSegments(path);
}

/** The Rego ref of a path: `data["a"]["b"]` (any segment text is safe inside a string key). */
export function refOf(segments: readonly string[]): string {
  return `data${segments.map((s) => `[${JSON.stringify(s)}]`).join('')}`;
}

/** A shallow copy of an object (the path being edited is copied; untouched subtrees are shared). */
function copyOf(o: RObject): RObject {
  return new RObject(o.unorderedEntries());
}

/**
 * A copy of `root` with `value` at `segments` (intermediate objects created, as OPA's PUT does).
 * Values are the engine's (exact numbers); the documents along the path are copied, the rest
 * shared, which is safe because stored values are never mutated.
 */
export function setAt(root: RObject, segments: readonly string[], value: Value): RObject {
  if (segments.length === 0) {
    if (!(value instanceof RObject)) throw new ValidationError('the root data document must be a JSON object', { field: 'body' });
    return value;
  }
  const copy = copyOf(root);
  let cur = copy;
  for (const seg of segments.slice(0, -1)) {
    const next = cur.get(seg);
    if (next !== undefined && !(next instanceof RObject)) {
      throw new ValidationError(`data at '${seg}' is not an object, so nothing can be written below it`, { field: 'path' });
    }
    const child = next === undefined ? new RObject() : copyOf(next);
    cur.set(seg, child);
    cur = child;
  }
  cur.set(segments[segments.length - 1]!, value);
  return copy;
}

/** A copy of `root` without the document at `segments`, or null when there is none. */
export function deleteAt(root: RObject, segments: readonly string[]): RObject | null {
  if (segments.length === 0) return new RObject();
  const [head, ...rest] = segments;
  const child = root.get(head!);
  if (child === undefined) return null;
  const copy = copyOf(root);
  if (rest.length === 0) {
    copy.delete(head!);
    return copy;
  }
  if (!(child instanceof RObject)) return null;
  const edited = deleteAt(child, rest);
  if (edited === null) return null;
  copy.set(head!, edited);
  return copy;
}
