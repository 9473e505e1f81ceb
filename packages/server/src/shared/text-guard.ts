import { ValidationError } from './errors.js';

/**
 * Text no store can hold: U+0000 (PostgreSQL text refuses it) and unpaired UTF-16 surrogates
 * (JSON may escape them, "\ud800", but they have no UTF-8 form, so hashing, storing or
 * printing them fails). The HTTP layer refuses them at the edge for every route, so no context
 * has to think of it and a hostile string becomes a 400 naming the field instead of a 500 deep
 * in a query; parsers of what that guard never sees (OAuth forms, proofs) use it too.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const DESCRIPTION = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** The path of the first string (value or object key) that cannot be stored, or null. */
export function findUnstorableText(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  // Bodies are bounded by the body limit; the depth bound only guards the recursion itself.
  if (typeof value !== 'object' || value === null || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnstorableText(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return path;
    const found = findUnstorableText(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Throws a 400 naming the first unstorable string among the request's parts. */
export function assertStorableText(parts: Record<string, unknown>): void {
  for (const [part, value] of Object.entries(parts)) {
    const field = findUnstorableText(value, part);
    if (field) throw new ValidationError(`${field} ${DESCRIPTION}`, { field });
  }
}
