/**
 * OPA's uuid.rfc4122 (a random version 4 UUID, the same for the same key
 * throughout one evaluation) and uuid.parse (version, variant, and the
 * fields versions 1 and 2 carry).
 */
import { randomUUID } from 'node:crypto';
import { RObject, hashKey, numberFromBigInt, type Value } from '../value.js';
import { registerBuiltins } from './registry.js';

/** 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch. */
const GREGORIAN_OFFSET = 122_192_928_000_000_000n;

/** The 16 bytes of a UUID in any of the forms Go's google/uuid accepts, or null. */
function uuidBytes(s: string): Buffer | null {
  let text = s;
  if (text.length === 45 && text.slice(0, 9).toLowerCase() === 'urn:uuid:') text = text.slice(9);
  else if (text.length === 38 && text[0] === '{' && text[37] === '}') text = text.slice(1, 37);
  if (text.length === 36) {
    if (text[8] !== '-' || text[13] !== '-' || text[18] !== '-' || text[23] !== '-') return null;
    text = text.replaceAll('-', '');
    if (text.length !== 32) return null;
  } else if (text.length !== 32) {
    return null;
  }
  if (!/^[0-9a-fA-F]{32}$/.test(text)) return null;
  return Buffer.from(text, 'hex');
}

function variant(b: number): string {
  if ((b & 0xc0) === 0x80) return 'RFC4122';
  if ((b & 0xe0) === 0xc0) return 'Microsoft';
  if ((b & 0xe0) === 0xe0) return 'Future';
  return 'Reserved';
}

function macVariables(b: number): string {
  if ((b & 0b11) === 0b11) return 'local:multicast';
  if (b & 0b01) return 'global:multicast';
  if (b & 0b10) return 'local:unicast';
  return 'global:unicast';
}

const DOMAINS = ['Person', 'Group', 'Org'];

export function parseUUID(s: string): RObject | null {
  const u = uuidBytes(s);
  if (!u) return null;
  const version = u[6]! >> 4;
  const out = new RObject([['version', version], ['variant', variant(u[8]!)]]);
  if (version === 1 || version === 2) {
    const t = BigInt(u.readUInt32BE(0)) | (BigInt(u.readUInt16BE(4)) << 32n) | (BigInt(u.readUInt16BE(6) & 0x0fff) << 48n);
    out.set('time', numberFromBigInt((t - GREGORIAN_OFFSET) * 100n));
    out.set('nodeid', [...u.subarray(10, 16)].map((b) => b.toString(16).padStart(2, '0')).join('-'));
    out.set('macvariables', macVariables(u[10]!));
    out.set('clocksequence', u.readUInt16BE(8) & 0x3fff);
    if (version === 2) {
      out.set('id', u.readUInt32BE(0));
      out.set('domain', DOMAINS[u[9]!] ?? `Domain${u[9]}`);
    }
  }
  return out;
}

registerBuiltins([
  {
    name: 'uuid.rfc4122',
    args: ['string'],
    result: 'string',
    nondeterministic: true,
    impl: ([key], ctx) => {
      const cacheKey = `uuid.rfc4122:${hashKey(key as Value)}`;
      let id = ctx.cache.get(cacheKey) as string | undefined;
      if (id === undefined) {
        id = randomUUID();
        ctx.cache.set(cacheKey, id);
      }
      return id;
    },
  },
  { name: 'uuid.parse', args: ['string'], result: 'object', impl: ([s]) => parseUUID(s as string) ?? undefined },
]);
