import { ValidationError } from '../shared/errors.js';

/**
 * What a policy id (`teams/payments/authz.rego`) and a data path (`example/rbac/allow`) may be.
 * OPA accepts any text; we keep its path-like ids but refuse what only confuses or deceives:
 * ids show up in file names of `mandate policy` output, in error locations and in logs.
 *
 * | rule | why |
 * |---|---|
 * | no empty segment (`a//b`, a leading or trailing `/` in an id) | `a//b` and `a/b` would be two ids that read as one |
 * | no `.` or `..` segment | they read as relative paths (`../x`) wherever ids become file names |
 * | no control or bidi-format characters (C0, DEL, C1, U+200E/F, U+202A–E, U+2066–9) | they garble terminals and logs, or show a name other than the real one |
 * | at most 256 characters (an id) or 256 per segment (a data path) | bounded names in revisions and audit details |
 */
export const MAX_ID_LENGTH = 256;
export const MAX_SEGMENT_LENGTH = 256;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** The first rule `segments` break, as a sentence naming it, or null. */
function segmentProblem(segments: readonly string[]): string | null {
  for (const seg of segments) {
    if (seg === '') return 'has an empty segment (// or a leading or trailing /)';
    if (seg === '.' || seg === '..') return `has a '${seg}' segment`;
    if (CONTROL.test(seg)) return 'contains a control character';
    if (seg.length > MAX_SEGMENT_LENGTH) return `has a segment longer than ${MAX_SEGMENT_LENGTH} characters`;
  }
  return null;
}

/** Throws a 400 naming the rule a policy id breaks. */
export function checkPolicyId(id: string): void {
  if (id === '') throw new ValidationError('a policy id must not be empty', { field: 'id' });
  if (id.length > MAX_ID_LENGTH) throw new ValidationError(`a policy id is at most ${MAX_ID_LENGTH} characters`, { field: 'id' });
  const problem = segmentProblem(id.split('/'));
  if (problem) throw new ValidationError(`policy id ${problem}; ids are /-separated names like teams/payments/authz.rego`, { field: 'id' });
}

/**
 * The segments of a data path (`a/b` → ['a', 'b']; '' → the root). A trailing slash is
 * dropped, as OPA's clients send one; any other empty segment is refused, like `.`, `..` and
 * control characters.
 */
export function dataPathSegments(path: string): string[] {
  if (path === '' || path === '/') return [];
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed.split('/');
  const problem = segmentProblem(segments);
  if (problem) throw new ValidationError(`data path ${problem}`, { field: 'path' });
  return segments;
}
