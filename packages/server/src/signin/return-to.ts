/** Where a browser goes after signing in when `return_to` is missing or not a local path. */
export const DEFAULT_RETURN_TO = '/console/';

/**
 * `return_to` if it is a path on this server, else the console. Only a path that starts with one
 * `/` is followed: `//host` and `/\host` are read as another host by browsers, a scheme
 * (`https:`, `javascript:`) leaves the origin, and control characters or a value longer than
 * `maxLength` are refused rather than repaired. This is the open-redirect guard.
 */
export function safeReturnTo(value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) return DEFAULT_RETURN_TO;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return DEFAULT_RETURN_TO;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return DEFAULT_RETURN_TO;
  return value;
}

/** The sign-in page's address that brings the browser back to `returnTo` afterwards. */
export function signinLocation(returnTo: string, maxLength: number): string {
  return `/signin?return_to=${encodeURIComponent(safeReturnTo(returnTo, maxLength))}`;
}
