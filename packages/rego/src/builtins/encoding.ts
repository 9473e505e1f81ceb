/**
 * Encodings (OPA v1/topdown/encoding.go): JSON, YAML, base64, base64url, hex and URL query.
 * Outputs match Go's encoders: json.marshal escapes <, > and & as \u003c..., sorts keys and
 * writes sets as arrays; base64.decode is strict about padding; urlquery follows net/url.
 */
import YAML from 'yaml';
import { fromJSON, parseJSON, RObject, RSet, toJSON, type Value } from '../value.js';
import { BuiltinError, BuiltinTypeError, registerBuiltins, type BuiltinDef } from './registry.js';

// ---------------------------------------------------------------------------------------------
// JSON

/** Go's encoding/json HTML-safe escaping on top of the JSON text. */
function goJSONEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function marshal(v: Value): string {
  return goJSONEscape(toJSON(v));
}

/** json.MarshalIndent(v, prefix, indent), with the prefix also before the first line as OPA writes it. */
function marshalIndent(v: Value, prefix: string, indent: string): string {
  const lines: string[] = [];
  const write = (x: Value, depth: number, lead: string): void => {
    const pad = indent.repeat(depth);
    if (Array.isArray(x) || x instanceof RSet) {
      const items = Array.isArray(x) ? x : x.values();
      if (items.length === 0) return void lines.push(pad + lead + '[]');
      lines.push(pad + lead + '[');
      items.forEach((item, i) => {
        write(item, depth + 1, '');
        if (i < items.length - 1) lines[lines.length - 1] += ',';
      });
      lines.push(pad + ']');
      return;
    }
    if (x instanceof RObject) {
      const compact = JSON.parse(toJSON(x)) as Record<string, unknown>;
      const keys = Object.keys(compact).sort();
      if (keys.length === 0) return void lines.push(pad + lead + '{}');
      lines.push(pad + lead + '{');
      const byText = new Map(x.entries().map(([k, val]) => [typeof k === 'string' ? k : toJSON(k), val] as const));
      keys.forEach((k, i) => {
        write(byText.get(k)!, depth + 1, goJSONEscape(JSON.stringify(k)) + ': ');
        if (i < keys.length - 1) lines[lines.length - 1] += ',';
      });
      lines.push(pad + '}');
      return;
    }
    lines.push(pad + lead + marshal(x));
  };
  write(v, 0, '');
  return lines.map((l) => prefix + l).join('\n');
}

const MARSHAL_OPTIONS = new Set(['pretty', 'indent', 'prefix']);

function marshalWithOptions(v: Value, opts: RObject): string {
  let pretty: boolean | undefined;
  let indent = '\t';
  let prefix = '';
  let styled = false;
  for (const [k, x] of opts.entries()) {
    if (typeof k !== 'string' || !MARSHAL_OPTIONS.has(k)) {
      throw new BuiltinTypeError(`object contained unknown key ${typeof k === 'string' ? JSON.stringify(k) : toJSON(k)}`);
    }
    if (k === 'pretty') {
      if (typeof x !== 'boolean') throw new BuiltinTypeError('pretty is not a boolean');
      pretty = x;
    } else {
      if (typeof x !== 'string') throw new BuiltinTypeError(`${k} is not a string`);
      if (k === 'indent') indent = x;
      else prefix = x;
      styled = true;
    }
  }
  if (pretty === false || (pretty === undefined && !styled)) return marshal(v);
  return marshalIndent(v, prefix, indent);
}

/**
 * JSON text to a value, numbers exact. Go accepts duplicate keys (the last wins) where
 * lossless-json refuses them; such documents are read again with JSON.parse, which keeps the last
 * value but rounds numbers beyond 2^53.
 */
function unmarshal(text: string): Value {
  try {
    return parseJSON(text);
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith('Duplicate key')) return fromJSON(JSON.parse(text));
    throw new BuiltinError(`invalid JSON: ${message}`);
  }
}

function isValidJSON(v: Value): boolean {
  if (typeof v !== 'string') return false;
  try {
    unmarshal(v);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// YAML

/** YAML 1.1 as Go's yaml.v2 reads it (yes/no booleans), big integers exact. */
const YAML_PARSE = { version: '1.1', intAsBigInt: true, uniqueKeys: false, merge: true } as const;

function yamlError(e: unknown): BuiltinError {
  const err = e as { message?: string; code?: string; linePos?: { line: number }[] };
  const line = err.linePos?.[0]?.line ?? 1;
  const first = (err.message ?? 'invalid YAML').split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  let detail = first;
  if (err.code === 'MISSING_CHAR' && /Flow sequence/.test(first)) detail = "did not find expected ',' or ']'";
  else if (err.code === 'MISSING_CHAR' && /Flow map/.test(first)) detail = "did not find expected ',' or '}'";
  return new BuiltinError(`yaml: line ${line}: ${detail}`);
}

function yamlUnmarshal(text: string): Value {
  let data: unknown;
  try {
    data = YAML.parse(text, YAML_PARSE);
  } catch (e) {
    throw yamlError(e);
  }
  return fromJSON(yamlToJSONish(data));
}

/** YAML-specific JS values (Date, Map) made JSON-like, as sigs.k8s.io/yaml converts them. */
function yamlToJSONish(x: unknown): unknown {
  if (x instanceof Date) return x.toISOString();
  if (x instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of x) o[String(k)] = yamlToJSONish(v);
    return o;
  }
  if (Array.isArray(x)) return x.map(yamlToJSONish);
  if (x !== null && typeof x === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) o[k] = yamlToJSONish(v);
    return o;
  }
  if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
  return x;
}

function yamlMarshal(v: Value): string {
  const data: unknown = JSON.parse(toJSON(v), (_k, x) => x);
  return YAML.stringify(data, { indentSeq: false, lineWidth: 0 });
}

function isValidYAML(v: Value): boolean {
  if (typeof v !== 'string') return false;
  try {
    YAML.parse(v, YAML_PARSE);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// base64, hex

const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_B64 = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

/** Go strings may hold any bytes; Rego strings here are UTF-8 text, invalid bytes become U+FFFD. */
function bytesToString(b: Buffer): string {
  return b.toString('utf8');
}

function firstBadBase64Byte(s: string, alphabet: RegExp): number {
  for (let i = 0; i < s.length; i++) if (!alphabet.test(s[i]!) && s[i] !== '=') return i;
  return s.length - (s.length % 4 === 0 ? 1 : s.length % 4);
}

function base64Decode(s: string): string {
  if (!STD_B64.test(s)) throw new BuiltinError(`illegal base64 data at input byte ${firstBadBase64Byte(s, /[A-Za-z0-9+/]/)}`);
  return bytesToString(Buffer.from(s, 'base64'));
}

function base64UrlDecode(s: string): string {
  let t = s;
  if (!t.endsWith('=')) {
    switch (t.length % 4) {
      case 0:
        break;
      case 2:
        t += '==';
        break;
      case 3:
        t += '=';
        break;
      default:
        throw new BuiltinError(`illegal base64url string: ${s}`);
    }
  }
  if (!URL_B64.test(t)) throw new BuiltinError(`illegal base64 data at input byte ${firstBadBase64Byte(t, /[A-Za-z0-9_-]/)}`);
  return bytesToString(Buffer.from(t, 'base64url'));
}

function hexChar(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

function invalidByte(c: string): BuiltinError {
  const cp = c.codePointAt(0)!;
  return new BuiltinError(`invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`);
}

function hexDecode(s: string): string {
  const bytes = Buffer.from(s, 'utf8').toString('latin1');
  let i = 1;
  for (; i < bytes.length; i += 2) {
    if (!hexChar(bytes[i - 1]!)) throw invalidByte(bytes[i - 1]!);
    if (!hexChar(bytes[i]!)) throw invalidByte(bytes[i]!);
  }
  if (bytes.length % 2 === 1) {
    if (!hexChar(bytes[i - 1]!)) throw invalidByte(bytes[i - 1]!);
    throw new BuiltinError('encoding/hex: odd length hex string');
  }
  return bytesToString(Buffer.from(bytes, 'hex'));
}

// ---------------------------------------------------------------------------------------------
// URL query (net/url)

/** url.QueryEscape */
function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** url.QueryUnescape */
function queryUnescape(s: string): string {
  const chunks: Buffer[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new BuiltinError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      chunks.push(Buffer.from([parseInt(hex, 16)]));
      i += 3;
    } else if (c === '+') {
      chunks.push(Buffer.from(' '));
      i++;
    } else {
      let j = i;
      while (j < s.length && s[j] !== '%' && s[j] !== '+') j++;
      chunks.push(Buffer.from(s.slice(i, j), 'utf8'));
      i = j;
    }
  }
  return bytesToString(Buffer.concat(chunks));
}

function encodeObject(obj: RObject): string {
  const parts: string[] = [];
  const keys = obj.keys().map((k) => {
    if (typeof k !== 'string') throw new BuiltinTypeError('operand 1 must be object[string, any] but got object with non-string key');
    return k;
  });
  for (const k of keys.sort()) {
    const v = obj.get(k)!;
    const values = typeof v === 'string' ? [v] : Array.isArray(v) ? v : v instanceof RSet ? v.values() : null;
    if (values === null) throw new BuiltinTypeError(`operand 1 must be object[string, string | array[string] | set[string]] but got ${typeof v}`);
    for (const x of values) {
      if (typeof x !== 'string') throw new BuiltinTypeError('operand 1 must contain only strings');
      parts.push(queryEscape(k) + '=' + queryEscape(x));
    }
  }
  return parts.join('&');
}

function decodeObject(query: string): RObject {
  const out = new Map<string, string[]>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) throw new BuiltinError('invalid semicolon separator in query');
    const eq = part.indexOf('=');
    const key = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : queryUnescape(part.slice(eq + 1));
    const list = out.get(key) ?? [];
    list.push(value);
    out.set(key, list);
  }
  const obj = new RObject();
  for (const [k, vs] of out) obj.set(k, vs);
  return obj;
}

const s = (f: (x: string) => Value) => ([x]: Value[]) => f(x as string);

const defs: BuiltinDef[] = [
  { name: 'json.marshal', walks: true, args: ['any'], result: 'string', impl: ([v]) => marshal(v!) },
  { name: 'json.marshal_with_options', walks: true, args: ['any', 'object'], result: 'string', impl: ([v, o]) => marshalWithOptions(v!, o as RObject) },
  { name: 'json.unmarshal', args: ['string'], result: 'any', impl: s(unmarshal) },
  { name: 'json.is_valid', args: ['any'], result: 'boolean', impl: ([v]) => isValidJSON(v!) },
  { name: 'yaml.marshal', walks: true, args: ['any'], result: 'string', impl: ([v]) => yamlMarshal(v!) },
  { name: 'yaml.unmarshal', args: ['string'], result: 'any', impl: s(yamlUnmarshal) },
  { name: 'yaml.is_valid', args: ['any'], result: 'boolean', impl: ([v]) => isValidYAML(v!) },
  { name: 'base64.encode', args: ['string'], result: 'string', impl: s((x) => Buffer.from(x, 'utf8').toString('base64')) },
  { name: 'base64.decode', args: ['string'], result: 'string', impl: s(base64Decode) },
  { name: 'base64.is_valid', args: ['string'], result: 'boolean', impl: s((x) => STD_B64.test(x)) },
  { name: 'base64url.encode', args: ['string'], result: 'string', impl: s((x) => Buffer.from(x, 'utf8').toString('base64url').padEnd(Math.ceil(Buffer.byteLength(x) / 3) * 4, '=')) },
  { name: 'base64url.encode_no_pad', args: ['string'], result: 'string', impl: s((x) => Buffer.from(x, 'utf8').toString('base64url')) },
  { name: 'base64url.decode', args: ['string'], result: 'string', impl: s(base64UrlDecode) },
  { name: 'hex.encode', args: ['string'], result: 'string', impl: s((x) => Buffer.from(x, 'utf8').toString('hex')) },
  { name: 'hex.decode', args: ['string'], result: 'string', impl: s(hexDecode) },
  { name: 'urlquery.encode', args: ['string'], result: 'string', impl: s(queryEscape) },
  { name: 'urlquery.decode', args: ['string'], result: 'string', impl: s(queryUnescape) },
  { name: 'urlquery.encode_object', walks: true, args: ['object'], result: 'string', impl: ([o]) => encodeObject(o as RObject) },
  { name: 'urlquery.decode_object', args: ['string'], result: 'object', impl: s(decodeObject) },
];

registerBuiltins(defs);
