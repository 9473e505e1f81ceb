/**
 * OPA's time builtins. Instants are int64 nanoseconds since the Unix epoch,
 * kept exact as bigint; zones are IANA names (see time-zone.ts); layouts are
 * Go's reference-time layouts (see time-layout.ts). The clock is never read:
 * time.now_ns is the evaluation's fixed ctx.nowNs.
 */
import { isNumber, numberFromBigInt, toBigInt, type Value } from '../value.js';
import {
  MAX_NS, MIN_NS, WEEKDAY_NAMES, civilTime, dateToNanos, daysInMonth, inNanosRange,
} from './time-calendar.js';
import { DurationError, parseDuration } from './time-duration.js';
import { NAMED_LAYOUTS, RFC3339, RFC3339_NANO, TimeParseError, formatTime, parseTime } from './time-layout.js';
import { UTC, UnknownZoneError, loadZone, type Zone } from './time-zone.js';
import { BuiltinError, BuiltinTypeError, operandError, registerBuiltins } from './registry.js';

const TIME_OPERAND = 'either number (ns) or [number (ns), string (tz)]';

interface ZonedTime {
  ns: bigint;
  zone: Zone;
  layout: string;
}

/** Reads OPA's time operand: ns, or [ns], [ns, tz] or [ns, tz, layout]. */
function zonedTime(arg: Value, position = 1): ZonedTime {
  let nsValue: Value;
  let zone = UTC;
  let layout = '';
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw operandError(position, TIME_OPERAND, arg);
    nsValue = arg[0]!;
    if (!isNumber(nsValue)) throw operandError(position, 'number', nsValue);
    if (arg.length > 1) {
      const tz = arg[1]!;
      if (typeof tz !== 'string') throw operandError(position, 'string', tz);
      try {
        zone = loadZone(tz);
      } catch (e) {
        if (e instanceof UnknownZoneError) throw new BuiltinError(e.message);
        throw e;
      }
    }
    if (arg.length > 2) {
      const lay = arg[2]!;
      if (typeof lay !== 'string') throw operandError(position, 'string', lay);
      layout = lay;
    }
  } else if (isNumber(arg)) {
    nsValue = arg;
  } else {
    throw operandError(position, TIME_OPERAND, arg);
  }
  // Go converts to int64 exactly or not at all: fractions and overflow are "too big".
  const ns = toBigInt(nsValue as number);
  if (ns === null || ns < MIN_NS || ns > MAX_NS) throw new BuiltinError('timestamp too big');
  return { ns, zone, layout };
}

function safeNanos(ns: bigint): Value {
  if (!inNanosRange(ns)) throw new BuiltinError('time outside of valid range');
  return numberFromBigInt(ns);
}

function parsed(layout: string, value: string): Value {
  try {
    return safeNanos(parseTime(layout, value));
  } catch (e) {
    if (e instanceof TimeParseError) throw new BuiltinError(e.message);
    throw e;
  }
}

function intOperand(v: Value, position: number): number {
  if (!isNumber(v)) throw operandError(position, 'number', v);
  const i = toBigInt(v);
  if (i === null) throw new BuiltinTypeError(`operand ${position} must be integer number but got floating-point number`);
  return Number(i);
}

/** time.diff: the calendar difference [y, m, d, h, min, s] between two instants, seen in the first's zone. */
function calendarDiff(a: ZonedTime, b: ZonedTime): Value[] {
  const [early, late] = a.ns <= b.ns ? [a.ns, b.ns] : [b.ns, a.ns];
  const t1 = civilTime(early, a.zone);
  const t2 = civilTime(late, a.zone);
  let year = t2.year - t1.year;
  let month = t2.month - t1.month;
  let day = t2.day - t1.day;
  let hour = t2.hour - t1.hour;
  let minute = t2.minute - t1.minute;
  let second = t2.second - t1.second;
  // Borrow from the next larger field, as one counts on a calendar.
  if (second < 0) { second += 60; minute--; }
  if (minute < 0) { minute += 60; hour--; }
  if (hour < 0) { hour += 24; day--; }
  if (day < 0) { day += daysInMonth(t1.year, t1.month); month--; }
  if (month < 0) { month += 12; year--; }
  return [year, month, day, hour, minute, second];
}

registerBuiltins([
  {
    name: 'time.now_ns',
    args: [],
    result: 'number',
    nondeterministic: true,
    impl: (_args, ctx) => numberFromBigInt(ctx.nowNs),
  },
  {
    name: 'time.parse_ns',
    args: ['string', 'string'],
    result: 'number',
    impl: ([layout, value]) => parsed(NAMED_LAYOUTS[layout as string] ?? (layout as string), value as string),
  },
  {
    name: 'time.parse_rfc3339_ns',
    args: ['string'],
    result: 'number',
    impl: ([value]) => parsed(RFC3339, value as string),
  },
  {
    name: 'time.parse_duration_ns',
    args: ['string'],
    result: 'number',
    impl: ([value]) => {
      try {
        return numberFromBigInt(parseDuration(value as string));
      } catch (e) {
        if (e instanceof DurationError) throw new BuiltinError(e.message);
        throw e;
      }
    },
  },
  {
    name: 'time.format',
    args: ['any'],
    result: 'string',
    impl: ([x]) => {
      const t = zonedTime(x!);
      const layout = t.layout === '' ? RFC3339_NANO : NAMED_LAYOUTS[t.layout] ?? t.layout;
      return formatTime(t.ns, t.zone, layout);
    },
  },
  {
    name: 'time.date',
    args: ['any'],
    result: 'array',
    impl: ([x]) => {
      const t = zonedTime(x!);
      const c = civilTime(t.ns, t.zone);
      return [c.year, c.month, c.day];
    },
  },
  {
    name: 'time.clock',
    args: ['any'],
    result: 'array',
    impl: ([x]) => {
      const t = zonedTime(x!);
      const c = civilTime(t.ns, t.zone);
      return [c.hour, c.minute, c.second];
    },
  },
  {
    name: 'time.weekday',
    args: ['any'],
    result: 'string',
    impl: ([x]) => {
      const t = zonedTime(x!);
      return WEEKDAY_NAMES[civilTime(t.ns, t.zone).weekday]!;
    },
  },
  {
    name: 'time.add_date',
    args: ['any', 'number', 'number', 'number'],
    result: 'number',
    impl: ([x, years, months, days]) => {
      const t = zonedTime(x!);
      const y = intOperand(years!, 2);
      const m = intOperand(months!, 3);
      const d = intOperand(days!, 4);
      const c = civilTime(t.ns, t.zone);
      return safeNanos(dateToNanos(c.year + y, c.month + m, c.day + d, c.hour, c.minute, c.second, c.nanosecond, t.zone));
    },
  },
  {
    name: 'time.diff',
    args: ['any', 'any'],
    result: 'array',
    impl: ([a, b]) => calendarDiff(zonedTime(a!, 1), zonedTime(b!, 1)),
  },
]);
