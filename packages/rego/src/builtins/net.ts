/**
 * OPA's net.* builtins: CIDR containment, intersection, merging and
 * expansion for IPv4 and IPv6 (address arithmetic in net-ip.ts).
 * net.lookup_ip_addr answers IP literals, as Go's resolver does, and
 * otherwise fails: Mandate's policy engine does not make DNS queries.
 */
import { RObject, RSet, type Value } from '../value.js';
import {
  CIDRParseError, defaultNet, expandNet, ipString, isV4, mergeNets, netContains, netRange, netString, parseCIDR, parseIP,
  type IPNet,
} from './net-ip.js';
import { BuiltinError, operandError, registerBuiltins, type BuiltinContext } from './registry.js';

/** net.cidr_expand refuses networks larger than this (OPA would run until cancelled). */
const EXPAND_LIMIT = 1 << 20;

function cidr(s: string): IPNet {
  try {
    return parseCIDR(s);
  } catch (e) {
    if (e instanceof CIDRParseError) throw new BuiltinError(e.message);
    throw e;
  }
}

function stringOperand(v: Value, position: number): string {
  if (typeof v !== 'string') throw operandError(position, 'string', v);
  return v;
}

/** net.cidr_contains(cidr, cidr_or_ip). */
function contains(a: Value, b: Value): boolean {
  const net = cidr(stringOperand(a, 1));
  const text = stringOperand(b, 1);
  const ip = parseIP(text);
  if (ip !== null) return netContains(net, ip);
  let inner: IPNet;
  try {
    inner = parseCIDR(text);
  } catch {
    throw new BuiltinError(`not a valid textual representation of an IP address or CIDR: ${text}`);
  }
  const [first, last] = netRange(inner);
  return netContains(net, first) && netContains(net, last);
}

/** The (cidr, key) pairs of one operand of net.cidr_contains_matches. */
function matchTerms(operand: number, v: Value): Array<[Value, Value]> {
  const element = (x: Value): Value => {
    if (typeof x === 'string') return x;
    if (Array.isArray(x) && x.length > 0) return x[0]!;
    throw new BuiltinError(`operand ${operand}: element must be string or non-empty array`);
  };
  if (typeof v === 'string') return [[v, v]];
  if (Array.isArray(v)) return v.map((x, i) => [element(x), i]);
  if (v instanceof RSet) return v.values().map((x) => [element(x), x]);
  if (v instanceof RObject) return v.entries().map(([k, x]) => [element(x), k]);
  return [];
}

/** An element of net.cidr_merge's operand: a CIDR, or an IPv4 address with its classful mask. */
function mergeElement(v: Value): IPNet {
  if (typeof v !== 'string') throw new BuiltinError('element must be string');
  const ip = parseIP(v);
  if (ip === null) return cidr(v);
  if (isV4(ip)) return defaultNet(ip);
  throw new BuiltinError('IPv6 invalid: needs prefix length');
}

function lookupIPAddr([name]: Value[], _ctx: BuiltinContext): Value {
  const ip = parseIP(name as string);
  if (ip !== null) return new RSet([ipString(ip)]);
  throw new BuiltinError(`cannot resolve ${JSON.stringify(name)}: DNS lookups are not available to Mandate's policy engine`);
}

registerBuiltins([
  { name: 'net.cidr_contains', args: ['string', 'string'], result: 'boolean', impl: ([a, b]) => contains(a!, b!) },
  // OPA registers net.cidr_overlap (deprecated) with the same implementation.
  { name: 'net.cidr_overlap', args: ['string', 'string'], result: 'boolean', deprecated: true, impl: ([a, b]) => contains(a!, b!) },
  {
    name: 'net.cidr_intersects',
    args: ['string', 'string'],
    result: 'boolean',
    impl: ([a, b]) => {
      const x = cidr(a as string);
      const y = cidr(b as string);
      return netContains(x, y.ip) || netContains(y, x.ip);
    },
  },
  {
    name: 'net.cidr_contains_matches',
    args: ['any', 'any'],
    result: 'set',
    impl: ([a, b]) => {
      const out = new RSet();
      for (const [c1, k1] of matchTerms(1, a!)) {
        for (const [c2, k2] of matchTerms(2, b!)) {
          if (contains(c1, c2)) out.add([k1, k2]);
        }
      }
      return out;
    },
  },
  {
    name: 'net.cidr_is_valid',
    args: ['any'],
    result: 'boolean',
    impl: ([a]) => {
      if (typeof a !== 'string') return false;
      try {
        parseCIDR(a);
        return true;
      } catch {
        return false;
      }
    },
  },
  {
    name: 'net.cidr_expand',
    args: ['string'],
    result: 'set',
    impl: ([a]) => {
      const net = cidr(a as string);
      const ips = expandNet(net, EXPAND_LIMIT);
      if (ips === null) throw new BuiltinError(`network ${a as string} has more than ${EXPAND_LIMIT} addresses`);
      return new RSet(ips.map(ipString));
    },
  },
  {
    name: 'net.cidr_merge',
    args: [['array', 'set']],
    result: 'set',
    impl: ([a]) => {
      const items = Array.isArray(a) ? a : (a as RSet).values();
      return new RSet(mergeNets(items.map(mergeElement)).map(netString));
    },
  },
  { name: 'net.lookup_ip_addr', args: ['string'], result: 'set', network: true, nondeterministic: true, impl: lookupIPAddr },
]);
