// Go's reference-time layouts ("2006-01-02T15:04:05Z07:00"), which OPA's
// time.parse_ns and time.format take. This follows the rules of Go's
// time/format.go: how a layout splits into elements, how each element prints,
// and how time.Parse reads a value against it, including its error texts.

import {
  MONTH_NAMES, WEEKDAY_NAMES, civilTime, dateToNanos, daysInMonth, daysFromCivil, civilFromDays, isLeapYear,
} from './time-calendar.js';
import { UTC, fixedZone, type Zone } from './time-zone.js';

/** The named layouts OPA accepts in place of a layout string. */
export const NAMED_LAYOUTS: Readonly<Record<string, string>> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
};

export const RFC3339 = NAMED_LAYOUTS.RFC3339!;
export const RFC3339_NANO = NAMED_LAYOUTS.RFC3339Nano!;

type Std =
  | 'longMonth' | 'month' | 'numMonth' | 'zeroMonth'
  | 'longWeekDay' | 'weekDay'
  | 'day' | 'underDay' | 'zeroDay' | 'underYearDay' | 'zeroYearDay'
  | 'hour' | 'hour12' | 'zeroHour12'
  | 'minute' | 'zeroMinute' | 'second' | 'zeroSecond'
  | 'longYear' | 'year'
  | 'PM' | 'pm'
  | 'tz'
  | 'iso8601TZ' | 'iso8601SecondsTZ' | 'iso8601ShortTZ' | 'iso8601ColonTZ' | 'iso8601ColonSecondsTZ'
  | 'numTZ' | 'numSecondsTZ' | 'numShortTZ' | 'numColonTZ' | 'numColonSecondsTZ'
  | 'fracSecond0' | 'fracSecond9';

interface Element {
  std: Std;
  text: string; // the layout text of the element
  digits?: number; // fractional seconds: how many digits
  separator?: string; // fractional seconds: '.' or ','
}

interface Chunk {
  prefix: string;
  element: Element | null;
  suffix: string;
}

const TZ_FORMS: ReadonlyArray<[string, Std]> = [
  ['-070000', 'numSecondsTZ'], ['-07:00:00', 'numColonSecondsTZ'], ['-0700', 'numTZ'],
  ['-07:00', 'numColonTZ'], ['-07', 'numShortTZ'],
  ['Z070000', 'iso8601SecondsTZ'], ['Z07:00:00', 'iso8601ColonSecondsTZ'], ['Z0700', 'iso8601TZ'],
  ['Z07:00', 'iso8601ColonTZ'], ['Z07', 'iso8601ShortTZ'],
];

const ZERO_X: Std[] = ['zeroMonth', 'zeroDay', 'zeroHour12', 'zeroMinute', 'zeroSecond', 'year'];

function startsWithLower(s: string): boolean {
  return s.length > 0 && s[0]! >= 'a' && s[0]! <= 'z';
}

function isDigitAt(s: string, i: number): boolean {
  return i < s.length && s[i]! >= '0' && s[i]! <= '9';
}

/** Splits off the first element of a layout, as Go's nextStdChunk. */
function nextChunk(layout: string): Chunk {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const rest = layout.slice(i);
    const hit = (std: Std, len: number, extra: Partial<Element> = {}): Chunk => ({
      prefix: layout.slice(0, i),
      element: { std, text: layout.slice(i, i + len), ...extra },
      suffix: layout.slice(i + len),
    });
    switch (c) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return hit('longMonth', 7);
          if (!startsWithLower(rest.slice(3))) return hit('month', 3);
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return hit('longWeekDay', 6);
          if (!startsWithLower(rest.slice(3))) return hit('weekDay', 3);
        }
        if (rest.startsWith('MST')) return hit('tz', 3);
        break;
      case '0':
        if (rest.length >= 2 && rest[1]! >= '1' && rest[1]! <= '6') return hit(ZERO_X[rest.charCodeAt(1) - 49]!, 2);
        if (rest.startsWith('002')) return hit('zeroYearDay', 3);
        break;
      case '1':
        if (rest.startsWith('15')) return hit('hour', 2);
        return hit('numMonth', 1);
      case '2':
        if (rest.startsWith('2006')) return hit('longYear', 4);
        return hit('day', 1);
      case '_':
        if (rest.length >= 2 && rest[1] === '2') {
          // "_2006" is a literal underscore followed by a long year.
          if (rest.startsWith('_2006')) {
            return { prefix: layout.slice(0, i + 1), element: { std: 'longYear', text: '2006' }, suffix: layout.slice(i + 5) };
          }
          return hit('underDay', 2);
        }
        if (rest.startsWith('__2')) return hit('underYearDay', 3);
        break;
      case '3':
        return hit('hour12', 1);
      case '4':
        return hit('minute', 1);
      case '5':
        return hit('second', 1);
      case 'P':
        if (rest.startsWith('PM')) return hit('PM', 2);
        break;
      case 'p':
        if (rest.startsWith('pm')) return hit('pm', 2);
        break;
      case '-':
      case 'Z':
        for (const [form, std] of TZ_FORMS) if (rest.startsWith(form)) return hit(std, form.length);
        break;
      case '.':
      case ',':
        if (rest.length >= 2 && (rest[1] === '0' || rest[1] === '9')) {
          const ch = rest[1]!;
          let j = 1;
          while (j < rest.length && rest[j] === ch) j++;
          // Only a fractional second if the run of digits ends here.
          if (!isDigitAt(rest, j)) {
            return hit(ch === '0' ? 'fracSecond0' : 'fracSecond9', j, { digits: j - 1, separator: c });
          }
        }
        break;
      default:
        break;
    }
  }
  return { prefix: layout, element: null, suffix: '' };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function formatNumericZone(std: Std, offset: number): string {
  const colon = std === 'iso8601ColonTZ' || std === 'numColonTZ' || std === 'iso8601ColonSecondsTZ' || std === 'numColonSecondsTZ';
  const withSeconds = std === 'iso8601SecondsTZ' || std === 'numSecondsTZ' || std === 'iso8601ColonSecondsTZ' || std === 'numColonSecondsTZ';
  const short = std === 'numShortTZ' || std === 'iso8601ShortTZ';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const zone = Math.floor(abs / 60);
  let out = sign + pad(Math.floor(zone / 60), 2);
  if (!short) out += (colon ? ':' : '') + pad(zone % 60, 2);
  if (withSeconds) out += (colon ? ':' : '') + pad(abs % 60, 2);
  return out;
}

/** Go's Time.Format for the instant `ns` seen in `zone`. */
export function formatTime(ns: bigint, zone: Zone, layout: string): string {
  const t = civilTime(ns, zone);
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const { prefix, element, suffix } = nextChunk(rest);
    out += prefix;
    if (!element) break;
    rest = suffix;
    const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
    switch (element.std) {
      case 'year': out += pad(((t.year % 100) + 100) % 100, 2); break;
      case 'longYear': out += pad(t.year, 4); break;
      case 'month': out += MONTH_NAMES[t.month - 1]!.slice(0, 3); break;
      case 'longMonth': out += MONTH_NAMES[t.month - 1]!; break;
      case 'numMonth': out += String(t.month); break;
      case 'zeroMonth': out += pad(t.month, 2); break;
      case 'weekDay': out += WEEKDAY_NAMES[t.weekday]!.slice(0, 3); break;
      case 'longWeekDay': out += WEEKDAY_NAMES[t.weekday]!; break;
      case 'day': out += String(t.day); break;
      case 'underDay': out += t.day < 10 ? ` ${t.day}` : String(t.day); break;
      case 'zeroDay': out += pad(t.day, 2); break;
      case 'underYearDay': out += String(t.yearDay).padStart(3, ' '); break;
      case 'zeroYearDay': out += pad(t.yearDay, 3); break;
      case 'hour': out += pad(t.hour, 2); break;
      case 'hour12': out += String(hour12); break;
      case 'zeroHour12': out += pad(hour12, 2); break;
      case 'minute': out += String(t.minute); break;
      case 'zeroMinute': out += pad(t.minute, 2); break;
      case 'second': out += String(t.second); break;
      case 'zeroSecond': out += pad(t.second, 2); break;
      case 'PM': out += t.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += t.hour >= 12 ? 'pm' : 'am'; break;
      case 'iso8601TZ': case 'iso8601SecondsTZ': case 'iso8601ShortTZ': case 'iso8601ColonTZ': case 'iso8601ColonSecondsTZ':
        out += t.offset === 0 ? 'Z' : formatNumericZone(element.std, t.offset);
        break;
      case 'numTZ': case 'numSecondsTZ': case 'numShortTZ': case 'numColonTZ': case 'numColonSecondsTZ':
        out += formatNumericZone(element.std, t.offset);
        break;
      case 'tz':
        out += t.abbrev !== '' ? t.abbrev : formatNumericZone('numTZ', t.offset);
        break;
      case 'fracSecond0':
      case 'fracSecond9': {
        let digits = String(t.nanosecond).padStart(9, '0').slice(0, Math.min(element.digits!, 9));
        if (element.std === 'fracSecond9') {
          digits = digits.replace(/0+$/, '');
          if (digits === '') break;
        }
        out += element.separator! + digits;
        break;
      }
    }
  }
  return out;
}

/** A parse failure, with Go's message text. */
export class TimeParseError extends Error {}

function quote(s: string): string {
  return JSON.stringify(s);
}

function layoutError(layout: string, value: string, layoutElem: string, valueElem: string): TimeParseError {
  return new TimeParseError(
    `parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(valueElem)} as ${quote(layoutElem)}`,
  );
}

function messageError(value: string, message: string): TimeParseError {
  return new TimeParseError(`parsing time ${quote(value)}${message}`);
}

class Bad extends Error {}
const BAD = new Bad();

function cutSpace(s: string): string {
  let i = 0;
  while (i < s.length && s[i] === ' ') i++;
  return s.slice(i);
}

/** Matches a literal layout prefix; runs of spaces match runs of spaces. */
function skip(value: string, prefix: string): string {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') throw BAD;
      prefix = cutSpace(prefix);
      value = cutSpace(value);
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) throw BAD;
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

function getNum(s: string, fixed: boolean): [number, string] {
  if (!isDigitAt(s, 0)) throw BAD;
  if (!isDigitAt(s, 1)) {
    if (fixed) throw BAD;
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}

function getNum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + (s.charCodeAt(i) - 48);
  if (i === 0 || (fixed && i !== 3)) throw BAD;
  return [n, s.slice(i)];
}

function lookupName(names: readonly string[], value: string): [number, string] {
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (value.length >= name.length && value.slice(0, name.length).toLowerCase() === name.toLowerCase()) {
      return [i, value.slice(name.length)];
    }
  }
  throw BAD;
}

function atoi(s: string): number {
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '' || !/^[0-9]+$/.test(s)) throw BAD;
  const n = Number(s);
  return neg ? -n : n;
}

function parseNanoseconds(value: string, nbytes: number): [number, string] {
  if (value[0] !== '.' && value[0] !== ',') throw BAD;
  const n = Math.min(nbytes, 10);
  let ns = atoi(value.slice(1, n));
  for (let i = 0; i < 10 - n; i++) ns *= 10;
  return [ns, ''];
}

function parseSignedOffset(value: string): number {
  const sign = value[0];
  if (sign !== '-' && sign !== '+') return 0;
  let i = 1;
  while (isDigitAt(value, i)) i++;
  if (i === 1) return 0;
  const x = Number(value.slice(1, i));
  if (x > 23) return 0;
  return i;
}

function parseGMT(value: string): number {
  const rest = value.slice(3);
  if (rest.length === 0) return 3;
  return 3 + parseSignedOffset(rest);
}

/** Length of a zone abbreviation at the start of value, or 0 (Go's parseTimeZone). */
function parseTimeZone(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4;
  if (value.startsWith('GMT')) return parseGMT(value);
  if (value[0] === '+' || value[0] === '-') return parseSignedOffset(value);
  let upper = 0;
  while (upper < 6 && upper < value.length && value[upper]! >= 'A' && value[upper]! <= 'Z') upper++;
  switch (upper) {
    case 3: return 3;
    case 4: return value[3] === 'T' || value.startsWith('WITA') ? 4 : 0;
    case 5: return value[4] === 'T' ? 5 : 0;
    default: return 0;
  }
}

/**
 * Go's time.Parse: the instant (ns since the epoch, unbounded) that `value`
 * denotes when read with `layout`. Times without a zone are UTC.
 */
export function parseTime(layout: string, value: string): bigint {
  const fullLayout = layout;
  const fullValue = value;
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let zoneOffset: number | null = null;
  let zoneName = '';
  let utc = false;

  for (;;) {
    const { prefix, element, suffix } = nextChunk(layout);
    const stdText = element?.text ?? '';
    try {
      value = skip(value, prefix);
    } catch (e) {
      if (e instanceof Bad) throw layoutError(fullLayout, fullValue, prefix, value);
      throw e;
    }
    if (!element) {
      if (value.length !== 0) throw messageError(fullValue, `: extra text: ${quote(value)}`);
      break;
    }
    layout = suffix;
    const hold = value;
    let rangeErr = '';
    try {
      switch (element.std) {
        case 'year': {
          if (value.length < 2) throw BAD;
          const p = value.slice(0, 2);
          value = value.slice(2);
          year = atoi(p);
          year += year >= 69 ? 1900 : 2000;
          break;
        }
        case 'longYear':
          if (value.length < 4 || !isDigitAt(value, 0)) throw BAD;
          year = atoi(value.slice(0, 4));
          value = value.slice(4);
          break;
        case 'month':
          [month, value] = lookupName(MONTH_NAMES.map((m) => m.slice(0, 3)), value);
          month++;
          break;
        case 'longMonth':
          [month, value] = lookupName(MONTH_NAMES, value);
          month++;
          break;
        case 'numMonth':
        case 'zeroMonth':
          [month, value] = getNum(value, element.std === 'zeroMonth');
          if (month <= 0 || month > 12) rangeErr = 'month';
          break;
        case 'weekDay':
          [, value] = lookupName(WEEKDAY_NAMES.map((d) => d.slice(0, 3)), value);
          break;
        case 'longWeekDay':
          [, value] = lookupName(WEEKDAY_NAMES, value);
          break;
        case 'day':
        case 'underDay':
        case 'zeroDay':
          if (element.std === 'underDay' && value.length > 0 && value[0] === ' ') value = value.slice(1);
          [day, value] = getNum(value, element.std === 'zeroDay');
          // Day of month is checked once the month and year are known.
          break;
        case 'underYearDay':
        case 'zeroYearDay':
          for (let i = 0; i < 2; i++) {
            if (element.std === 'underYearDay' && value.length > 0 && value[0] === ' ') value = value.slice(1);
          }
          [yday, value] = getNum3(value, element.std === 'zeroYearDay');
          break;
        case 'hour':
          [hour, value] = getNum(value, false);
          if (hour < 0 || hour >= 24) rangeErr = 'hour';
          break;
        case 'hour12':
        case 'zeroHour12':
          [hour, value] = getNum(value, element.std === 'zeroHour12');
          if (hour < 0 || hour > 12) rangeErr = 'hour';
          break;
        case 'minute':
        case 'zeroMinute':
          [min, value] = getNum(value, element.std === 'zeroMinute');
          if (min < 0 || min >= 60) rangeErr = 'minute';
          break;
        case 'second':
        case 'zeroSecond': {
          [sec, value] = getNum(value, element.std === 'zeroSecond');
          if (sec < 0 || sec >= 60) {
            rangeErr = 'second';
            break;
          }
          // A fractional second in the value that the layout does not mention.
          if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
            const next = nextChunk(layout).element?.std;
            if (next === 'fracSecond0' || next === 'fracSecond9') break;
            let n = 2;
            while (n < value.length && isDigitAt(value, n)) n++;
            [nsec] = parseNanoseconds(value, n);
            value = value.slice(n);
          }
          break;
        }
        case 'PM':
        case 'pm': {
          if (value.length < 2) throw BAD;
          const p = value.slice(0, 2);
          value = value.slice(2);
          const pm = element.std === 'PM' ? 'PM' : 'pm';
          const am = element.std === 'PM' ? 'AM' : 'am';
          if (p === pm) pmSet = true;
          else if (p === am) amSet = true;
          else throw BAD;
          break;
        }
        case 'iso8601TZ': case 'iso8601SecondsTZ': case 'iso8601ShortTZ': case 'iso8601ColonTZ': case 'iso8601ColonSecondsTZ':
        case 'numTZ': case 'numSecondsTZ': case 'numShortTZ': case 'numColonTZ': case 'numColonSecondsTZ': {
          if (element.std.startsWith('iso') && value.length >= 1 && value[0] === 'Z') {
            value = value.slice(1);
            utc = true;
            break;
          }
          let sign: string;
          let hh: string;
          let mm: string;
          let ss: string;
          const std = element.std;
          if (std === 'iso8601ColonTZ' || std === 'numColonTZ') {
            if (value.length < 6 || value[3] !== ':') throw BAD;
            [sign, hh, mm, ss, value] = [value.slice(0, 1), value.slice(1, 3), value.slice(4, 6), '00', value.slice(6)];
          } else if (std === 'numShortTZ' || std === 'iso8601ShortTZ') {
            if (value.length < 3) throw BAD;
            [sign, hh, mm, ss, value] = [value.slice(0, 1), value.slice(1, 3), '00', '00', value.slice(3)];
          } else if (std === 'iso8601ColonSecondsTZ' || std === 'numColonSecondsTZ') {
            if (value.length < 9 || value[3] !== ':' || value[6] !== ':') throw BAD;
            [sign, hh, mm, ss, value] = [value.slice(0, 1), value.slice(1, 3), value.slice(4, 6), value.slice(7, 9), value.slice(9)];
          } else if (std === 'iso8601SecondsTZ' || std === 'numSecondsTZ') {
            if (value.length < 7) throw BAD;
            [sign, hh, mm, ss, value] = [value.slice(0, 1), value.slice(1, 3), value.slice(3, 5), value.slice(5, 7), value.slice(7)];
          } else {
            if (value.length < 5) throw BAD;
            [sign, hh, mm, ss, value] = [value.slice(0, 1), value.slice(1, 3), value.slice(3, 5), '00', value.slice(5)];
          }
          const [h] = getNum(hh, true);
          const [m] = getNum(mm, true);
          const [s] = getNum(ss, true);
          // Go allows offsets of up to 24 hours, 60 minutes and 60 seconds.
          if (h > 24) rangeErr = 'time zone offset hour';
          if (m > 60) rangeErr = 'time zone offset minute';
          if (s > 60) rangeErr = 'time zone offset second';
          let off = (h * 60 + m) * 60 + s;
          if (sign === '-') off = -off;
          else if (sign !== '+') throw BAD;
          zoneOffset = off;
          break;
        }
        case 'tz': {
          if (value.startsWith('UTC')) {
            utc = true;
            value = value.slice(3);
            break;
          }
          const n = parseTimeZone(value);
          if (n === 0) throw BAD;
          zoneName = value.slice(0, n);
          value = value.slice(n);
          break;
        }
        case 'fracSecond0': {
          const ndigit = 1 + element.digits!;
          if (value.length < ndigit) throw BAD;
          [nsec] = parseNanoseconds(value, ndigit);
          value = value.slice(ndigit);
          break;
        }
        case 'fracSecond9': {
          if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break;
          let i = 0;
          while (isDigitAt(value, i + 1)) i++;
          [nsec] = parseNanoseconds(value, 1 + i);
          value = value.slice(1 + i);
          break;
        }
      }
    } catch (e) {
      if (e instanceof Bad) throw layoutError(fullLayout, fullValue, stdText, hold);
      throw e;
    }
    if (rangeErr !== '') throw messageError(fullValue, `: ${rangeErr} out of range`);
  }

  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    if (yday < 1 || yday > (isLeapYear(year) ? 366 : 365)) throw messageError(fullValue, ': day-of-year out of range');
    const date = civilFromDays(daysFromCivil(year, 1, 1) + yday - 1);
    if (month < 0) month = date.month;
    else if (month !== date.month) throw messageError(fullValue, ': day-of-year does not match month');
    if (day < 0) day = date.day;
    else if (day !== date.day) throw messageError(fullValue, ': day-of-year does not match day');
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }

  if (day < 1 || day > daysInMonth(year, month)) throw messageError(fullValue, ': day out of range');

  let zone: Zone = UTC;
  if (!utc && zoneOffset !== null) zone = fixedZone('', zoneOffset);
  else if (!utc && zoneName !== '') {
    // Go knows only the local zone's abbreviations; any other name gets an
    // unknown (zero) offset, except GMT+h which carries its own.
    let offset = 0;
    if (zoneName.length > 3 && zoneName.startsWith('GMT')) offset = atoi(zoneName.slice(3)) * 3600;
    zone = fixedZone(zoneName, offset);
  }
  return dateToNanos(year, month, day, hour, min, sec, nsec, zone);
}
