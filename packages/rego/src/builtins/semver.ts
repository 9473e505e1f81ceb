/**
 * OPA's semver.compare and semver.is_valid on Semantic Versioning 2.0.0
 * strings (no "v" prefix): precedence by major, minor, patch, then
 * pre-release identifiers; build metadata is ignored.
 */
import { BuiltinError, registerBuiltins } from './registry.js';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export interface Version {
  core: [bigint, bigint, bigint];
  pre: string[];
}

export function parseVersion(s: string): Version | null {
  const m = SEMVER.exec(s);
  if (!m) return null;
  return { core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)], pre: m[4] ? m[4].split('.') : [] };
}

const sign = (a: bigint | number | string, b: typeof a) => (a < b ? -1 : a > b ? 1 : 0);

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return sign(BigInt(a), BigInt(b));
  if (an !== bn) return an ? -1 : 1; // numeric identifiers sort first
  return sign(a, b);
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const c = sign(a.core[i]!, b.core[i]!);
    if (c !== 0) return c;
  }
  // A version without pre-release ranks above one with it.
  if (a.pre.length === 0 || b.pre.length === 0) return sign(b.pre.length, a.pre.length);
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const c = compareIdentifiers(a.pre[i]!, b.pre[i]!);
    if (c !== 0) return c;
  }
  return sign(a.pre.length, b.pre.length);
}

function operand(s: string, position: number): Version {
  const v = parseVersion(s);
  if (!v) throw new BuiltinError(`operand ${position}: string ${JSON.stringify(s)} is not a valid SemVer`);
  return v;
}

registerBuiltins([
  {
    name: 'semver.compare',
    args: ['string', 'string'],
    result: 'number',
    impl: ([a, b]) => compareVersions(operand(a as string, 1), operand(b as string, 2)),
  },
  {
    name: 'semver.is_valid',
    args: ['any'],
    result: 'boolean',
    impl: ([v]) => typeof v === 'string' && parseVersion(v) !== null,
  },
]);
