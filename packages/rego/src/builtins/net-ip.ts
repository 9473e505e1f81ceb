// IP addresses and CIDR networks with the semantics of Go's net package,
// which OPA's net.* builtins use: IPv4 addresses live in the IPv4-mapped IPv6
// space (::ffff:a.b.c.d), an IPv4 network matches such addresses, and
// addresses print as Go prints them (dotted IPv4, RFC 5952 IPv6).

/** A 128-bit address; IPv4 addresses are stored IPv4-mapped. */
export type IP = bigint;

export const V4_MAPPED = 0xffffn << 32n;
const V4_MASK = (1n << 32n) - 1n;
const ALL = (1n << 128n) - 1n;

/** Whether Go's IP.To4() is non-nil: an IPv4 or IPv4-mapped address. */
export function isV4(ip: IP): boolean {
  return ip >> 32n === 0xffffn;
}

function parseV4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    // Go rejects empty fields, more than three digits and leading zeros.
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | null {
  let ipv4Tail: bigint | null = null;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    ipv4Tail = parseV4(text.slice(lastColon + 1));
    if (ipv4Tail === null) return null;
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): string[] | null => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return null;
  const all = [...head, ...Array<string>(8 - count).fill('0'), ...tail];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (ipv4Tail !== null) v = (v & ~V4_MASK) | ipv4Tail;
  return v;
}

/** Go's net.ParseIP: an address, or null. No zones, no CIDR suffix. */
export function parseIP(s: string): IP | null {
  if (s.includes(':')) return parseV6(s);
  const v4 = parseV4(s);
  return v4 === null ? null : V4_MAPPED | v4;
}

/** Go's IP.String(). */
export function ipString(ip: IP): string {
  if (isV4(ip)) {
    const v = ip & V4_MASK;
    return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip >> BigInt(i * 16)) & 0xffffn));
  // The longest run of two or more zero groups becomes "::" (the first, on a tie).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const left = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const right = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(':');
  return `${left}::${right}`;
}

/**
 * A network as Go's net.IPNet: `ip` (not necessarily masked, for networks made
 * from a bare address) and a prefix length counted in `bits` (32 or 128).
 */
export interface IPNet {
  ip: IP;
  prefix: number;
  bits: 32 | 128;
}

export class CIDRParseError extends Error {}

/** Go's net.ParseCIDR: the network (address masked), or CIDRParseError "invalid CIDR address: s". */
export function parseCIDR(s: string): IPNet {
  const bad = () => new CIDRParseError(`invalid CIDR address: ${s}`);
  const slash = s.indexOf('/');
  if (slash < 0) throw bad();
  const addr = s.slice(0, slash);
  const maskText = s.slice(slash + 1);
  const v4 = addr.includes(':') ? null : parseV4(addr);
  const v6 = v4 === null ? parseV6(addr) : null;
  if (v4 === null && v6 === null) throw bad();
  const bits = v4 !== null ? 32 : 128;
  if (!/^[0-9]+$/.test(maskText) || maskText.length > 8) throw bad();
  const prefix = Number(maskText);
  if (prefix > bits) throw bad();
  const ip = v4 !== null ? V4_MAPPED | v4 : v6!;
  return { ip: maskIP(ip, prefix, bits), prefix, bits };
}

function hostMask(prefix: number, bits: number): bigint {
  return (1n << BigInt(bits - prefix)) - 1n;
}

function maskIP(ip: IP, prefix: number, bits: number): IP {
  return ip & ~hostMask(prefix, bits) & ALL;
}

/** The address space a network compares in: IPv4 networks and IPv4-mapped addresses use 32 bits. */
function netSpace(n: IPNet): { base: bigint; prefix: number; bits: number } {
  if (isV4(n.ip)) {
    // Go compares IPv4(-mapped) networks on their last four bytes, with the mask's last 32 bits.
    const prefix = n.bits === 128 ? Math.max(0, n.prefix - 96) : n.prefix;
    return { base: n.ip & V4_MASK, prefix, bits: 32 };
  }
  return { base: n.ip, prefix: n.prefix, bits: 128 };
}

/** Go's IPNet.Contains. */
export function netContains(n: IPNet, ip: IP): boolean {
  const s = netSpace(n);
  if ((s.bits === 32) !== isV4(ip)) return false;
  const x = s.bits === 32 ? ip & V4_MASK : ip;
  const mask = ~hostMask(s.prefix, s.bits);
  return (x & mask) === (s.base & mask);
}

/** The first and last address of a network, in the 128-bit space. */
export function netRange(n: IPNet): [IP, IP] {
  const hostBits = n.bits - n.prefix;
  const first = n.ip & ~hostMask(n.prefix, n.bits) & ALL;
  const last = first | ((1n << BigInt(hostBits)) - 1n);
  return [first, last];
}

/** Go's IPNet.String(): the (unmasked) address and the prefix length. */
export function netString(n: IPNet): string {
  const s = netSpace(n);
  return `${ipString(n.ip)}/${s.bits === 32 && n.bits === 128 ? s.prefix : n.prefix}`;
}

/** Go's IP.DefaultMask for an IPv4 address: the classful /8, /16 or /24. */
export function defaultNet(ip: IP): IPNet {
  const first = Number((ip >> 24n) & 0xffn);
  const prefix = first < 0x80 ? 8 : first < 0xc0 ? 16 : 24;
  return { ip, prefix, bits: 32 };
}

/** The smallest list of aligned networks that covers [first, last] exactly. */
export function rangeToNets(first: IP, last: IP): IPNet[] {
  const v4 = isV4(first);
  const bits = v4 ? 32 : 128;
  const offset = v4 ? V4_MAPPED : 0n;
  let lo = first - offset;
  const hi = last - offset;
  const out: IPNet[] = [];
  while (lo <= hi) {
    let size = 0;
    // Grow the block while it stays aligned on lo and ends within hi.
    while (size < bits) {
      const next = 1n << BigInt(size + 1);
      if (lo % next !== 0n || lo + next - 1n > hi) break;
      size++;
    }
    out.push({ ip: lo + offset, prefix: bits - size, bits: bits as 32 | 128 });
    lo += 1n << BigInt(size);
  }
  return out;
}

interface Range {
  first: IP;
  last: IP;
  net: IPNet | null; // the original network while not merged with another
}

/** The address before ip, not going below 0.0.0.0 or :: (as OPA's merge does). */
function previousIP(ip: IP): IP {
  if (ip === 0n || ip === V4_MAPPED) return ip;
  return ip - 1n;
}

/**
 * OPA's net.cidr_merge: sorts the networks' ranges, joins overlapping and
 * adjacent ones, and turns each joined range back into networks. A network
 * that was not joined with another keeps its original form.
 */
export function mergeNets(nets: readonly IPNet[]): IPNet[] {
  const ranges: Range[] = nets.map((net) => {
    const [first, last] = netRange(net);
    return { first, last, net };
  });
  ranges.sort((a, b) => (a.last < b.last ? -1 : a.last > b.last ? 1 : a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (let i = ranges.length - 1; i > 0; i--) {
    const cur = ranges[i]!;
    const prev = ranges[i - 1]!;
    if (previousIP(cur.first) <= prev.last) {
      ranges[i - 1] = { first: prev.first < cur.first ? prev.first : cur.first, last: cur.last, net: null };
      ranges.splice(i, 1);
    }
  }
  return ranges.flatMap((r) => (r.net ? [r.net] : rangeToNets(r.first, r.last)));
}

/** Every address of a network, at most `limit` of them (null when there are more). */
export function expandNet(n: IPNet, limit: number): IP[] | null {
  const [first, last] = netRange(n);
  if (last - first + 1n > BigInt(limit)) return null;
  const out: IP[] = [];
  for (let ip = first; ip <= last; ip++) out.push(ip);
  return out;
}
