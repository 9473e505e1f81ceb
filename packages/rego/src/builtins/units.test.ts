import { describe, expect, it } from 'vitest';
import { compare, numberFromText, type Value } from '../value.js';
import { callBuiltin } from './testing.js';
import './units.js';

const parse = (s: string) => callBuiltin('units.parse', [s]) as Value;
const bytes = (s: string) => callBuiltin('units.parse_bytes', [s]) as Value;
const eq = (a: Value, b: string) => compare(a, numberFromText(b)) === 0;

describe('units.parse', () => {
  it('is exact for SI, binary and milli units and exponents', () => {
    expect(eq(parse('500m'), '0.5')).toBe(true);
    expect(eq(parse('0.0005K'), '0.5')).toBe(true);
    expect(eq(parse('-3.5E2m'), '-0.35')).toBe(true);
    expect(eq(parse('10Ei'), '11529215046068469760')).toBe(true);
    expect(eq(parse('1.1Ki'), '1126.4')).toBe(true);
    expect(eq(parse('"100TI"'), '109951162777600')).toBe(true);
    expect(eq(parse('2.5e3K'), '2500000')).toBe(true);
    expect(eq(parse('7.8E-1'), '0.78')).toBe(true);
    expect(compare(parse('3Mi'), parse('3M'))).toBe(1);
  });
  it('rejects what OPA rejects', () => {
    expect(() => parse('')).toThrow('no amount provided');
    expect(() => parse('G')).toThrow('no amount provided');
    expect(() => parse('100 k')).toThrow('spaces not allowed in resource strings');
    expect(() => parse('0.0.0')).toThrow('could not parse amount to a number');
    expect(eq(parse('5E'), '5000000000000000000')).toBe(true); // a bare E is the exa unit
    expect(() => parse('1x')).toThrow('unit x not recognized');
    expect(() => parse('1e1234567')).toThrow('exponent too large');
  });
});

describe('units.parse_bytes', () => {
  it('truncates to whole bytes', () => {
    expect(eq(bytes('1.1KiB'), '1126')).toBe(true);
    expect(eq(bytes('10eib'), '11529215046068469760')).toBe(true);
    expect(eq(bytes('7.5e1TiB'), '82463372083200')).toBe(true);
    expect(eq(bytes('.5KB'), '500')).toBe(true);
    expect(eq(bytes('.0'), '0')).toBe(true);
  });
  it('rejects what OPA rejects', () => {
    expect(() => bytes('foo')).toThrow('no byte amount provided');
    expect(() => bytes(' 327MiB ')).toThrow('spaces not allowed');
    expect(() => bytes('.5.2')).toThrow('could not parse byte amount to a number');
    expect(() => bytes('1zb')).toThrow('byte unit zb not recognized');
  });
});
