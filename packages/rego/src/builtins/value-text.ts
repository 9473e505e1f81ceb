/**
 * The Rego text of a value as OPA's `Term.String()` prints it: strings Go-quoted, objects
 * `{"a": 1}`, sets `{1, 2}` (the empty set is `set()`). `sprintf` uses it for every argument
 * that is neither a number nor a string, e.g. `sprintf("%v", [[1, "a"]])` = `[1, "a"]`.
 */
import { BigNum, numberText, RObject, RSet, type Value } from '../value.js';
import { quote } from './go-fmt.js';

export function regoText(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return numberText(v);
    case 'string':
      return quote(v, false);
  }
  if (v instanceof BigNum) return v.text;
  if (Array.isArray(v)) return '[' + v.map(regoText).join(', ') + ']';
  if (v instanceof RObject) return '{' + v.entries().map(([k, x]) => `${regoText(k)}: ${regoText(x)}`).join(', ') + '}';
  if (v instanceof RSet) return v.size === 0 ? 'set()' : '{' + v.values().map(regoText).join(', ') + '}';
  return String(v);
}
