// Proleptic Gregorian calendar arithmetic on whole days and on instants in
// nanoseconds, as Go's time package does it. OPA's time builtins work on int64
// nanoseconds since the Unix epoch; we keep those as bigint so that no
// precision is lost, and break them into calendar fields here.

import type { Zone } from './time-zone.js';

export const NS_PER_SECOND = 1_000_000_000n;
export const MIN_NS = -(2n ** 63n);
export const MAX_NS = 2n ** 63n - 1n;

export const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Days since 1970-01-01 of the given civil date (month 1-12; day may overflow, it is added as an offset). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Howard Hinnant's days_from_civil, with the day added as a plain offset so
  // that Go-style normalisation (Jan 32 = Feb 1) falls out for free.
  const y = month <= 2 ? year - 1 : year;
  const era = floorDiv(y, 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = floorDiv(153 * mp + 2, 5);
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * 146097 + doe - 719468 + (day - 1);
}

export interface CivilDate {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
}

export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36524) - floorDiv(doe, 146096), 365);
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
  const mp = floorDiv(5 * doy + 2, 153);
  const day = doy - floorDiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** An instant broken into the calendar fields of one zone. */
export interface CivilTime extends CivilDate {
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 1-366
  offset: number; // seconds east of UTC
  abbrev: string; // zone abbreviation, '' if none
}

export function splitNanos(ns: bigint): { sec: number; nsec: number } {
  let sec = ns / NS_PER_SECOND;
  let nsec = ns % NS_PER_SECOND;
  if (nsec < 0n) {
    nsec += NS_PER_SECOND;
    sec -= 1n;
  }
  return { sec: Number(sec), nsec: Number(nsec) };
}

export function civilTime(ns: bigint, zone: Zone): CivilTime {
  const { sec, nsec } = splitNanos(ns);
  const { offset, abbrev } = zone.lookup(sec);
  const local = sec + offset;
  const days = floorDiv(local, 86400);
  const secOfDay = local - days * 86400;
  const date = civilFromDays(days);
  return {
    ...date,
    hour: floorDiv(secOfDay, 3600),
    minute: floorDiv(secOfDay % 3600, 60),
    second: secOfDay % 60,
    nanosecond: nsec,
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(date.year, 1, 1) + 1,
    offset,
    abbrev,
  };
}

/**
 * Go's time.Date: fields may be out of range and are normalised (month 13 is
 * January of the next year, day 0 the last day of the previous month). The
 * wall clock is interpreted in the zone as Go does: with the offset in effect
 * at that wall time, corrected once if it lands across a transition.
 */
export function dateToNanos(
  year: number, month: number, day: number,
  hour: number, minute: number, second: number, nanosecond: number,
  zone: Zone,
): bigint {
  const m0 = month - 1;
  const y = year + floorDiv(m0, 12);
  const m = m0 - floorDiv(m0, 12) * 12 + 1;
  const days = daysFromCivil(y, m, day);
  const localSec = days * 86400 + hour * 3600 + minute * 60 + second;
  let offset = zone.lookup(localSec).offset;
  if (offset !== 0) {
    const second = zone.lookup(localSec - offset).offset;
    if (second !== offset) offset = second;
  }
  return BigInt(localSec - offset) * NS_PER_SECOND + BigInt(nanosecond);
}

export function inNanosRange(ns: bigint): boolean {
  return ns >= MIN_NS && ns <= MAX_NS;
}
