import { describe, expect, it } from 'vitest';
import { RObject, RSet, type Value } from '../value.js';
import { BuiltinError } from './registry.js';
import { callBuiltin } from './testing.js';
import { ipString, mergeNets, netString, parseCIDR, parseIP } from './net-ip.js';
import './net.js';

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args);

const members = (v: unknown) => (v as RSet).values();

describe('IP parsing and printing as Go does', () => {
  it('round-trips IPv4 and canonicalises IPv6', () => {
    expect(ipString(parseIP('10.1.2.3')!)).toBe('10.1.2.3');
    expect(ipString(parseIP('2001:0db8:0:0:0:0:0:1')!)).toBe('2001:db8::1');
    expect(ipString(parseIP('::')!)).toBe('::');
    expect(ipString(parseIP('1:0:0:1:0:0:0:1')!)).toBe('1:0:0:1::1');
    expect(ipString(parseIP('::ffff:1.2.3.4')!)).toBe('1.2.3.4');
    expect(parseIP('010.1.1.1')).toBeNull();
    expect(parseIP('1.2.3')).toBeNull();
    expect(parseIP('1::2::3')).toBeNull();
    expect(parseIP('fe80::1%eth0')).toBeNull();
  });

  it('parses CIDRs and masks the address', () => {
    expect(netString(parseCIDR('192.168.1.1/30'))).toBe('192.168.1.0/30');
    expect(netString(parseCIDR('2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64'))).toBe('2601:600:8a80:207e::/64');
    expect(() => parseCIDR('192.168.1.1/33')).toThrow('invalid CIDR address: 192.168.1.1/33');
    expect(() => parseCIDR('10.0.0.0')).toThrow('invalid CIDR address');
  });

  it('merges into the smallest list', () => {
    const m = (...xs: string[]) => mergeNets(xs.map(parseCIDR)).map(netString).sort();
    expect(m('192.0.2.112/30', '192.0.2.116/31', '192.0.2.118/31')).toEqual(['192.0.2.112/29']);
    expect(m('192.0.2.112/30', '192.0.2.116/32', '192.0.2.118/31')).toEqual(['192.0.2.112/30', '192.0.2.116/32', '192.0.2.118/31']);
    expect(m('::/0', 'fe80::1/128')).toEqual(['::/0']);
    expect(m('192.0.1.254/31', ...Array.from({ length: 16 }, (_, i) => `192.0.2.${i * 16}/28`), '192.0.3.0/28'))
      .toEqual(['192.0.1.254/31', '192.0.2.0/24', '192.0.3.0/28']);
  });
});

describe('net builtins', () => {
  it('net.cidr_contains takes addresses and networks', () => {
    expect(call('net.cidr_contains', '10.0.0.0/8', '10.1.0.0/24')).toBe(true);
    expect(call('net.cidr_contains', '172.17.0.0/24', '172.17.0.0/16')).toBe(false);
    expect(call('net.cidr_contains', '10.0.0.0/8', '192.168.1.1')).toBe(false);
    expect(call('net.cidr_contains', '2001:4860:4860::8888/32', '2001:4860:4860:1234::8888/40')).toBe(true);
    expect(call('net.cidr_contains', '2001:4860::/96', '2001:4860::/32')).toBe(false);
    expect(() => call('net.cidr_contains', 'not-a-cidr', '1.1.1.1')).toThrow(BuiltinError);
    expect(() => call('net.cidr_contains', '10.0.0.0/8', 'x')).toThrow('not a valid textual representation');
  });

  it('net.cidr_intersects and is_valid', () => {
    expect(call('net.cidr_intersects', 'fd1e:5bfe:8af3:9ddc::/64', 'fd1e:5bfe:8af3:9ddc:1111::/72')).toBe(true);
    expect(call('net.cidr_intersects', '192.168.1.0/24', '192.168.2.0/24')).toBe(false);
    expect(call('net.cidr_is_valid', '192.168.1.0/24')).toBe(true);
    expect(call('net.cidr_is_valid', '')).toBe(false);
    expect(call('net.cidr_is_valid', 7)).toBe(false);
  });

  it('net.cidr_contains_matches keys by index, member or object key', () => {
    expect(members(call('net.cidr_contains_matches', ['1.1.2.0/24', '1.1.1.0/24'], ['1.1.1.1', '1.1.2.1'])))
      .toEqual([[0, 1], [1, 0]]);
    const obj = RObject.fromRecord({ k1: '1.1.1.1/24', k2: ['1.1.1.2/24', 1] });
    expect(members(call('net.cidr_contains_matches', obj, '1.1.1.128'))).toEqual([['k1', '1.1.1.128'], ['k2', '1.1.1.128']]);
    expect(() => call('net.cidr_contains_matches', 'x', new RSet([[], 'y'])))
      .toThrow('operand 2: element must be string or non-empty array');
  });

  it('net.cidr_merge gives bare IPv4 addresses their classful mask and rejects bare IPv6', () => {
    expect(members(call('net.cidr_merge', ['192.0.2.112', '192.0.2.116/31', '192.0.2.118/31']))).toEqual(['192.0.2.0/24']);
    expect(members(call('net.cidr_merge', ['fe80::/120', '192.0.2.0/24', '192.0.3.0/24', '192.0.4.0/25', '192.0.4.128/25'])))
      .toEqual(['192.0.2.0/23', '192.0.4.0/24', 'fe80::/120']);
    expect(() => call('net.cidr_merge', ['2601:600::1'])).toThrow('IPv6 invalid: needs prefix length');
    expect(() => call('net.cidr_merge', ['foo'])).toThrow(BuiltinError);
  });

  it('net.cidr_expand lists every address', () => {
    expect(members(call('net.cidr_expand', '172.16.100.255/30')))
      .toEqual(['172.16.100.252', '172.16.100.253', '172.16.100.254', '172.16.100.255']);
    expect(() => call('net.cidr_expand', '10.0.0.0/8')).toThrow(BuiltinError);
  });

  it('net.lookup_ip_addr answers literals only', () => {
    expect(members(call('net.lookup_ip_addr', '::'))).toEqual(['::']);
    expect(() => call('net.lookup_ip_addr', 'localhost')).toThrow('DNS lookups are not available');
  });
});
