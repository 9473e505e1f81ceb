import { describe, expect, it } from 'vitest';
import { V, type Value } from '../value.js';
import { callBuiltin } from './testing.js';

import './encoding.js';

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args);

describe('encoding builtins', () => {
  it('marshals JSON as Go does', () => {
    expect(call('json.marshal', [V.obj({ foo: V.set(3, 1, 2) })])).toBe('[{"foo":[1,2,3]}]');
    expect(call('json.marshal', '<a&b>')).toBe('"\\u003ca\\u0026b\\u003e"');
    expect(call('json.marshal_with_options', [1, 2], V.obj({ indent: '  ' }))).toBe('[\n  1,\n  2\n]');
    expect(call('json.marshal_with_options', V.obj({ foo: 'bar', bar: 'baz' }), V.obj({ prefix: 'J ' }))).toBe(
      'J {\nJ \t"bar": "baz",\nJ \t"foo": "bar"\nJ }',
    );
    expect(call('json.marshal_with_options', [], V.obj({ indent: '    ', prefix: '---' }))).toBe('---[]');
    expect(call('json.marshal_with_options', [1], V.obj({ pretty: false, indent: 'x' }))).toBe('[1]');
    expect(() => call('json.marshal_with_options', [], V.obj({ nope: true }))).toThrow('object contained unknown key "nope"');
  });

  it('unmarshals and validates JSON and YAML', () => {
    expect(call('json.unmarshal', '[{"foo":[1,2,3]}]')).toEqual([V.obj({ foo: [1, 2, 3] })]);
    expect(call('json.is_valid', '{')).toBe(false);
    expect(call('json.is_valid', 1)).toBe(false);
    expect(call('yaml.unmarshal', call('yaml.marshal', [V.obj({ foo: V.set(1, 2) })]) as string)).toEqual([V.obj({ foo: [1, 2] })]);
    expect(call('yaml.marshal', [V.obj({ foo: [1, 2] })])).toBe('- foo:\n  - 1\n  - 2\n');
    expect(() => call('yaml.unmarshal', '[1,2,3')).toThrow("yaml: line 1: did not find expected ',' or ']'");
    expect(call('yaml.is_valid', 'a: {')).toBe(false);
  });

  it('encodes base64, hex and URL queries', () => {
    expect(call('base64.encode', 'subjects?_d')).toBe('c3ViamVjdHM/X2Q=');
    expect(call('base64.decode', 'aGVsbG8=')).toBe('hello');
    expect(() => call('base64.decode', 'aGVsbG8')).toThrow('illegal base64 data');
    expect(call('base64.is_valid', "{'not':'base64'}")).toBe(false);
    expect(call('base64url.encode', 'subjects?_d')).toBe('c3ViamVjdHM_X2Q=');
    expect(call('base64url.encode_no_pad', 'hello')).toBe('aGVsbG8');
    expect(call('base64url.decode', 'aGVsbG8')).toBe('hello');
    expect(call('hex.encode', 'lorem')).toBe('6c6f72656d');
    expect(call('hex.decode', '6c6f72656d')).toBe('lorem');
    expect(() => call('hex.decode', 'fghijkl')).toThrow("invalid byte: U+0067 'g'");
    expect(call('urlquery.encode', 'a=b+1 c')).toBe('a%3Db%2B1+c');
    expect(call('urlquery.decode', 'a%3Db%2B1+c')).toBe('a=b+1 c');
    expect(() => call('urlquery.decode', '%zz')).toThrow('invalid URL escape "%zz"');
    expect(call('urlquery.encode_object', V.obj({ c: 'd', a: ['b+1', 'x'], s: V.set('y') }))).toBe('a=b%2B1&a=x&c=d&s=y');
    expect(call('urlquery.decode_object', 'a=1&b&a=2')).toEqual(V.obj({ a: ['1', '2'], b: [''] }));
  });
});

describe('json.unmarshal edge cases', () => {
  it('keeps the last of duplicate keys, as Go does', () => {
    expect(call('json.unmarshal', '{"a":1,"a":2}')).toEqual(V.obj({ a: 2 }));
    expect(call('json.is_valid', '{"a":1,"a":2}')).toBe(true);
    expect(() => call('json.unmarshal', '[1,]')).toThrow('invalid JSON');
  });
});
