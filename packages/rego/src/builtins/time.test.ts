import { describe, expect, it } from 'vitest';
import { numberFromText, type Value } from '../value.js';
import { BuiltinError, BuiltinTypeError } from './registry.js';
import { callBuiltin, testContext } from './testing.js';
import { parseDuration } from './time-duration.js';
import { formatTime, parseTime } from './time-layout.js';
import { UTC, loadZone } from './time-zone.js';
import './time.js';

const NOW = 1_700_000_000_123_456_789n;

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args, testContext({ nowNs: NOW }));

const n = (s: string) => numberFromText(s);

describe('Go layouts', () => {
  it('parses RFC 3339 with offsets and the int64 extremes', () => {
    expect(parseTime('2006-01-02T15:04:05Z07:00', '2017-06-02T19:00:00-07:00')).toBe(1496455200000000000n);
    expect(parseTime('2006-01-02T15:04:05Z07:00', '1677-09-21T00:12:43.145224192-00:00')).toBe(-9223372036854775808n);
    expect(parseTime('2006-01-02T15:04:05Z07:00', '2262-04-11T23:47:16.854775807-00:00')).toBe(9223372036854775807n);
  });

  it('parses other layouts', () => {
    expect(parseTime("01/02 03:04:05PM '06 -0700", "06/02 07:00:00PM '17 -0700")).toBe(1496455200000000000n);
    expect(parseTime('02 Jan 06 15:04 -0700', '02 Jun 17 19:00 -0700')).toBe(1496455200000000000n);
    expect(parseTime('2006-01-02', '2020-02-29')).toBe(1582934400000000000n);
    expect(parseTime('Mon Jan _2 15:04:05 2006', 'Tue Feb  4 01:02:03 2020')).toBe(1580778123000000000n);
  });

  it('reports Go parse errors', () => {
    expect(() => parseTime('2006-01-02', '2020-13-01')).toThrow('parsing time "2020-13-01": month out of range');
    expect(() => parseTime('2006-01-02', '2021-02-29')).toThrow('day out of range');
    expect(() => parseTime('2006-01-02', 'x')).toThrow('cannot parse "x" as "2006"');
    expect(() => parseTime('2006-01-02', '2020-01-01Z')).toThrow('extra text');
  });

  it('formats with zones, named layouts and fractional seconds', () => {
    const t = 1670006453141828752n;
    expect(formatTime(t, UTC, '2006-01-02T15:04:05.999999999Z07:00')).toBe('2022-12-02T18:40:53.141828752Z');
    const kolkata = loadZone('Asia/Kolkata');
    expect(formatTime(t, kolkata, '2006-01-02T15:04:05.999999999Z07:00')).toBe('2022-12-03T00:10:53.141828752+05:30');
    expect(formatTime(t, kolkata, 'Mon Jan 02 15:04:05 -0700 2006')).toBe('Sat Dec 03 00:10:53 +0530 2022');
    expect(formatTime(t, UTC, '3:04PM .000 ,99 Monday January 002')).toBe('6:40PM .141 ,14 Friday December 336');
    expect(formatTime(1_000_000_000n, UTC, '05.999')).toBe('01');
  });
});

describe('Go durations', () => {
  it('parses units, fractions and signs', () => {
    expect(parseDuration('100ms')).toBe(100_000_000n);
    expect(parseDuration('1h30m')).toBe(5_400_000_000_000n);
    expect(parseDuration('-1.5s')).toBe(-1_500_000_000n);
    expect(parseDuration('1µs')).toBe(1000n);
    expect(parseDuration('0')).toBe(0n);
  });
  it('rejects what Go rejects', () => {
    expect(() => parseDuration('')).toThrow('time: invalid duration ""');
    expect(() => parseDuration('10')).toThrow('time: missing unit in duration "10"');
    expect(() => parseDuration('1d')).toThrow('time: unknown unit "d" in duration "1d"');
    expect(() => parseDuration('9999999999999999999h')).toThrow('invalid duration');
  });
});

describe('time builtins', () => {
  it('time.now_ns is the fixed evaluation time', () => {
    expect(call('time.now_ns')).toEqual(n(NOW.toString()));
  });

  it('time.parse_ns accepts named layouts and enforces the int64 range', () => {
    expect(call('time.parse_ns', 'RFC3339', '1970-01-01T00:00:00Z')).toBe(0);
    expect(() => call('time.parse_ns', '2006-01-02T15:04:05Z07:00', '2262-04-11T23:47:16.854775808-00:00'))
      .toThrow(new BuiltinError('time outside of valid range'));
    expect(() => call('time.parse_rfc3339_ns', '1677-09-21T00:12:43.145224191-00:00')).toThrow('time outside of valid range');
  });

  it('time.date, clock and weekday honour the zone', () => {
    const t = n('1517814000000000000');
    expect(call('time.date', t)).toEqual([2018, 2, 5]);
    expect(call('time.date', [t, 'America/Los_Angeles'])).toEqual([2018, 2, 4]);
    expect(call('time.clock', [n('1517832000000000000'), 'America/New_York'])).toEqual([7, 0, 0]);
    expect(call('time.weekday', n('1517918400000000000'))).toBe('Tuesday');
    expect(() => call('time.date', n('1582977600000000000000'))).toThrow('timestamp too big');
    expect(() => call('time.date', 1.5)).toThrow('timestamp too big');
    expect(() => call('time.date', 'x')).toThrow(BuiltinTypeError);
    expect(() => call('time.date', [0, 'Nowhere/Nothing'])).toThrow('unknown time zone Nowhere/Nothing');
  });

  it('time.add_date normalises like Go and checks the range', () => {
    expect(call('time.add_date', n('1585852421593912000'), 3, 9, 12)).toEqual(n('1705257221593912000'));
    expect(call('time.add_date', n('1585852421593912000'), -1, -1, -1)).toEqual(n('1551465221593912000'));
    expect(() => call('time.add_date', 0, 2262, 1, 1)).toThrow('time outside of valid range');
    expect(() => call('time.add_date', n('-9223372036854775808'), 0, 0, -1)).toThrow('time outside of valid range');
  });

  it('time.diff counts calendar fields', () => {
    const d = (a: string, b: string) =>
      call('time.diff', call('time.parse_ns', '2006-01-02', a) as Value, call('time.parse_ns', '2006-01-02', b) as Value);
    expect(d('2020-02-02', '2020-03-01')).toEqual([0, 0, 28, 0, 0, 0]);
    expect(d('2021-02-02', '2021-03-01')).toEqual([0, 0, 27, 0, 0, 0]);
    expect(d('2004-02-29', '2005-03-01')).toEqual([1, 0, 1, 0, 0, 0]);
    expect(call('time.diff', [60_000_000_000, 'UTC'], [0, 'Asia/Shanghai'])).toEqual([0, 0, 0, 0, 1, 0]);
  });

  it('time.format takes a zone and a layout or layout name', () => {
    const t = n('1670006453141828752');
    expect(call('time.format', t)).toBe('2022-12-02T18:40:53.141828752Z');
    expect(call('time.format', [t, 'Asia/Kolkata', 'RFC1123Z'])).toBe('Sat, 03 Dec 2022 00:10:53 +0530');
  });
});
