import { hmacValue } from '../crypto/index.js';

/**
 * Replaces the values at the given dot-paths of `details` by their HMAC. Objects and arrays
 * are HMAC'd over their JSON form. Returns a copy; the input is left alone.
 */
export function redactSensitive(details: Record<string, unknown>, paths: readonly string[], key: Buffer): Record<string, unknown> {
  if (paths.length === 0) return details;
  const copy = structuredClone(details);
  for (const path of paths) {
    // Paths are relative to `details`; a leading `details.` is accepted too (it is how event
    // authors often think of them), unless `details` really has a key of that name.
    const relative = path.startsWith('details.') && !('details' in copy) ? path.slice('details.'.length) : path;
    const segments = relative.split('.');
    let node: unknown = copy;
    for (const segment of segments.slice(0, -1)) {
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    }
    const last = segments[segments.length - 1]!;
    if (node && typeof node === 'object' && last in node) {
      const holder = node as Record<string, unknown>;
      const value = holder[last];
      if (value !== undefined && value !== null) {
        holder[last] = hmacValue(key, typeof value === 'string' ? value : JSON.stringify(value));
      }
    }
  }
  return copy;
}
