import { describe, expect, it } from 'vitest';
import { formatFloat, goSprintf, type GoArg } from './go-fmt.js';

const I = (n: number | bigint): GoArg => ({ kind: 'int', value: BigInt(n) });
const B = (n: bigint): GoArg => ({ kind: 'bigint', value: n });
const F = (n: number): GoArg => ({ kind: 'float', value: n });
const S = (s: string): GoArg => ({ kind: 'string', value: s });

describe('goSprintf matches Go fmt', () => {
  it.each([
    ['hi %02d', [I(5)], 'hi 05'],
    ['hi %02X.%02X', [I(127), I(1)], 'hi 7F.01'],
    ['%05d', [I(-42)], '-0042'],
    ['%+d % d', [I(5), I(5)], '+5  5'],
    ['%#x %#o %#b %O', [I(255), I(8), I(5), I(8)], '0xff 010 0b101 0o10'],
    ['%c%c', [I(72), I(0x1f600)], 'H😀'],
    ['%U', [I(0x1f600)], 'U+1F600'],
    ['%d', [B(18446744073709551614n)], '18446744073709551614'],
    ['%x', [B(-255n)], '-ff'],
  ])('integers: %s', (f, args, want) => expect(goSprintf(f, args)).toBe(want));

  it.each([
    ['hi %.2f', [F(3.1415)], 'hi 3.14'],
    ['%v', [F(1e6)], '1e+06'],
    ['%v', [F(123456)], '123456'],
    ['%v', [F(0.00001)], '1e-05'],
    ['%v', [F(1e21)], '1e+21'],
    ['%e', [F(1234.5678)], '1.234568e+03'],
    ['%.3g', [F(1234.5678)], '1.23e+03'],
    ['%.0f %.0f %.0f', [F(0.5), F(1.5), F(2.5)], '0 2 2'],
    ['%.2f', [F(1.005)], '1.00'],
    ['%8.3f|%-8.3f|%08.3f', [F(-3.14159), F(3.14159), F(-3.14159)], '  -3.142|3.142   |-003.142'],
    ['%10.4v|', [F(3.14159)], '     3.142|'],
    ['%x', [F(1)], '0x1p+00'],
  ])('floats: %s', (f, args, want) => expect(goSprintf(f, args)).toBe(want));

  it.each([
    ['hi %s', [S('there')], 'hi there'],
    ['%5s|%-5s|', [S('ab'), S('ab')], '   ab|ab   |'],
    ['%.2s', [S('åäö')], 'åä'],
    ['%q', [S('a"b\n')], '"a\\"b\\n"'],
    ['%x % X', [S('hi'), S('hi')], '6869 68 69'],
  ])('strings: %s', (f, args, want) => expect(goSprintf(f, args)).toBe(want));

  it('reports misuse the way Go does', () => {
    expect(goSprintf('%d', [F(3.5)])).toBe('%!d(float64=3.5)');
    expect(goSprintf('%s', [I(5)])).toBe('%!s(int=5)');
    expect(goSprintf('%t', [S('true')])).toBe('%!t(string=true)');
    expect(goSprintf('%d %d', [I(1)])).toBe('1 %!d(MISSING)');
    expect(goSprintf('%d', [I(1), S('a')])).toBe('1%!(EXTRA string=a)');
    expect(goSprintf('%[3]d', [I(1)])).toBe('%!d(BADINDEX)');
    expect(goSprintf('50%%', [])).toBe('50%');
    expect(goSprintf('%', [])).toBe('%!(NOVERB)');
  });

  it('supports argument indexes and star widths', () => {
    expect(goSprintf('%[2]d %[1]d', [I(1), I(2)])).toBe('2 1');
    expect(goSprintf('%*d|%-*d|', [I(5), I(42), I(4), I(7)])).toBe('   42|7   |');
  });
});

describe('formatFloat matches strconv.FormatFloat', () => {
  it('uses the shortest digits and Go exponent form', () => {
    expect(formatFloat(0.1, 'g', -1)).toBe('0.1');
    expect(formatFloat(1e-7, 'g', -1)).toBe('1e-07');
    expect(formatFloat(123456789, 'e', -1)).toBe('1.23456789e+08');
    expect(formatFloat(2.5, 'f', -1)).toBe('2.5');
    expect(formatFloat(-0.000123, 'f', 2)).toBe('-0.00');
  });
});
