import { isUnstorableText, UNSTORABLE_TEXT } from '../shared/text-guard.js';
import { InvalidRequest, InvalidTarget } from './errors.js';

/**
 * The global request guard (shared/json-guard.ts) never sees OAuth forms and Basic
 * credentials, which are parsed here; PostgreSQL text refuses NUL, so without this a client_id
 * of "%00" was a 500 at the first query. Refused with the RFC 6749 shape instead.
 */
export function assertStorable(what: string, value: string): void {
  if (isUnstorableText(value)) throw new InvalidRequest(`${what} ${UNSTORABLE_TEXT}`);
}

/** A parsed `application/x-www-form-urlencoded` body: each parameter at most once (RFC 6749 §3.2). */
export type FormParameters = Map<string, string>;

function decode(part: string): string {
  const spaced = part.includes('+') ? part.replaceAll('+', ' ') : part;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new InvalidRequest('the form body is malformed (bad percent-encoding)');
  }
}

/**
 * Strict form parsing: malformed percent-encoding and repeated parameters are errors (not
 * silently "last one wins", which hides ambiguity an attacker could use), empty values
 * count as absent (RFC 6749 §3.1).
 */
export function parseForm(body: string): FormParameters {
  const out: FormParameters = new Map();
  if (body.length === 0) return out;
  for (const pair of body.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    assertStorable('a parameter name', name);
    assertStorable(`parameter '${name}'`, value);
    if (name.length === 0) throw new InvalidRequest('the form body is malformed (a parameter has no name)');
    if (out.has(name) && name === 'resource') throw new InvalidTarget('Mandate issues each token for one audience: send one resource parameter');
    if (out.has(name)) throw new InvalidRequest(`parameter '${name}' is included more than once`);
    if (value.length > 0) out.set(name, value);
  }
  return out;
}

/** RFC 6749 §3.3: scope is a space-delimited list of scope tokens (NQCHAR, no duplicates needed). */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const scopes = value.split(' ').filter((s) => s.length > 0);
  for (const scope of scopes) {
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) throw new InvalidRequest(`scope '${scope}' has characters RFC 6749 §3.3 does not allow`);
  }
  return [...new Set(scopes)];
}
