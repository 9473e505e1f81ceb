/**
 * What a builtin call costs, in evaluation steps. A builtin runs between two of the evaluator's
 * limit checks, so one call that builds or walks a large value (numbers.range, json.marshal of a
 * big array, concat of a long list) would otherwise escape the step and time limits. Each call is
 * charged by the size of what it walks (its arguments) and what it builds (its result), and the
 * charge goes through the evaluator's own accounting, so the limit error is the usual one.
 *
 * Units: one step per collection element, one step per STRING_CHARS_PER_STEP characters of text.
 * Shallow sizes are O(1) per argument (length or size); builtins that walk nested values
 * (`walks: true` in their definition) are charged by the deep size, counted in chunks so that a
 * long walk itself checks the deadline (chargeDeep).
 */
import { RObject, RSet, type Value } from './value.js';

/** Characters of text that cost one step (copying text is far cheaper than evaluating). */
export const STRING_CHARS_PER_STEP = 64;

/** A deep walk charges the evaluator every CHARGE_CHUNK nodes, so a long walk meets the deadline. */
const CHARGE_CHUNK = 1024;

/** Size of a value without looking inside its members: O(1). */
export function shallowSize(v: Value | undefined): number {
  if (typeof v === 'string') return (v.length / STRING_CHARS_PER_STEP) | 0;
  if (Array.isArray(v)) return v.length;
  if (v instanceof RObject || v instanceof RSet) return v.size;
  return 0;
}

/** Charge the deep size of a value (every member, key and string), checking limits as it goes. */
export function chargeDeep(v: Value, charge: (steps: number) => void): void {
  let pending = 0;
  const visit = (x: Value): void => {
    pending += 1;
    if (typeof x === 'string') pending += (x.length / STRING_CHARS_PER_STEP) | 0;
    else if (Array.isArray(x)) for (const c of x) visit(c);
    else if (x instanceof RSet) for (const c of x.unorderedValues()) visit(c);
    else if (x instanceof RObject) {
      for (const [k, c] of x.unorderedEntries()) {
        visit(k);
        visit(c);
      }
    }
    if (pending >= CHARGE_CHUNK) {
      charge(pending);
      pending = 0;
    }
  };
  visit(v);
  charge(pending);
}
