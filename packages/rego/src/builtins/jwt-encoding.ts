// The encodings OPA's JWT builtins rely on, with Go's exact behaviour where
// policies (and OPA's tests) can observe it: base64url decoding that reports
// the offset of the first bad byte, JSON decoding where the last duplicate
// key wins, and JSON encoding as Go's encoding/json writes it.

import { parse as parseLossless } from 'lossless-json';
import { fromJSON, toJSON, type Value } from '../value.js';

export class EncodingError extends Error {}

function decodeTable(alphabet: string): Int16Array {
  const t = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}

const URL_TABLE = decodeTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
const STD_TABLE = decodeTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

function corrupt(offset: number): EncodingError {
  return new EncodingError(`illegal base64 data at input byte ${offset}`);
}

/**
 * Go's base64 DecodeString for a padded encoding (non-strict): skips CR and
 * LF, requires correct padding, and reports the first bad offset.
 */
function decodePadded(src: Buffer, DECODE: Int16Array): Buffer {
  const out: number[] = [];
  let si = 0;
  for (;;) {
    const buf = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    let done = false;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        throw corrupt(si - j);
      }
      const c = src[si]!;
      si++;
      const v = DECODE[c]!;
      if (v >= 0) {
        buf[j] = v;
        continue;
      }
      if (c === 0x0a || c === 0x0d) {
        j--;
        continue;
      }
      if (c !== 0x3d /* = */) throw corrupt(si - 1);
      // Padding: only after two or three symbols, and then nothing but newlines.
      if (j === 0 || j === 1) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) throw corrupt(si);
      dlen = j;
      done = true;
      break;
    }
    const val = (buf[0]! << 18) | (buf[1]! << 12) | (buf[2]! << 6) | buf[3]!;
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (done) return Buffer.from(out);
  }
}

/**
 * OPA's base64url.decode: adds missing padding (RFC 7515 appendix C), then
 * decodes as Go does.
 */
export function base64UrlDecode(s: string): Buffer {
  let padded = s;
  if (!s.endsWith('=')) {
    switch (s.length % 4) {
      case 0: break;
      case 2: padded += '=='; break;
      case 3: padded += '='; break;
      default: throw new EncodingError(`illegal base64url string: ${s}`);
    }
  }
  return decodePadded(Buffer.from(padded, 'utf8'), URL_TABLE);
}

/** Go's base64.StdEncoding.DecodeString, with its error offsets. */
export function base64StdDecode(s: string): Buffer {
  return decodePadded(Buffer.from(s, 'utf8'), STD_TABLE);
}

export function base64UrlEncode(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Parses JSON exactly (numbers keep their digits); on duplicate keys the last wins, as in Go. */
export function parseJSONLastWins(text: string): Value {
  return fromJSON(parseLossless(text, null, { onDuplicateKey: ({ newValue }) => newValue }));
}

/** Whether text is valid JSON (Go's json.Valid). */
export function isValidJSON(text: string): boolean {
  try {
    parseLossless(text, null, { onDuplicateKey: ({ newValue }) => newValue });
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON text as Go's json.Marshal writes an OPA value: compact, object keys
 * sorted, sets as arrays, and <, >, &, U+2028, U+2029 escaped. Those
 * characters can only occur inside strings, so escaping them in the text is
 * safe.
 */
export function goJSON(v: Value): string {
  return toJSON(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
