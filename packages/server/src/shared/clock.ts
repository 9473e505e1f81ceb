/**
 * Time is a parameter (STYLE.md §8): services take a Clock instead of calling Date.now(),
 * so tests move time forward instead of sleeping. The clock is the SDK's (`@mandate/sdk/clock`,
 * a module of its own that loads nothing else): one `Clock`, one `ManualClock` for the server,
 * the SDK and the tests that drive both.
 */
export { epochSeconds, ManualClock, systemClock, type Clock } from '@mandate/sdk/clock';

/** ISO-8601 UTC text: the one timestamp format stored in every table (sorts as text on both dialects). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
