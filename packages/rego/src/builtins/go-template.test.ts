import { describe, expect, it } from 'vitest';
import { V } from '../value.js';
import { renderTemplate } from './go-template.js';

describe('text/template subset', () => {
  it('prints fields, variables and missing keys', () => {
    expect(renderTemplate('{{.test}}', V.obj({ test: 'hello world' }))).toBe('hello world');
    expect(renderTemplate('test {{.foo}} {{.bar}} {{.baz}}', V.obj({ baz: 1 }))).toBe('test <undefined> <undefined> 1');
    expect(renderTemplate('{{.a.b}} {{$.a.b}}', V.obj({ a: V.obj({ b: [1, 'x'] }) }))).toBe('[1 x] [1 x]');
    expect(renderTemplate('{{/* note */}}a{{- " b " -}} c', V.obj({}))).toBe('a b c');
  });

  it('ranges, branches and calls functions', () => {
    const vars = V.obj({ hellonames: ['rohan', 'john doe'], n: 3, m: V.obj({ k: 'v' }) });
    expect(renderTemplate('{{range $i, $name := .hellonames}}{{if $i}},{{end}}hello {{$name}}{{end}}', vars)).toBe(
      'hello rohan,hello john doe',
    );
    expect(renderTemplate('{{range .missing}}x{{else}}none{{end}}', vars)).toBe('none');
    expect(renderTemplate('{{range $k, $v := .m}}{{$k}}={{$v}}{{end}}', vars)).toBe('k=v');
    expect(renderTemplate('{{if gt .n 5}}big{{else if eq .n 3}}three{{else}}small{{end}}', vars)).toBe('three');
    expect(renderTemplate('{{with .m}}{{.k}}{{end}}', vars)).toBe('v');
    expect(renderTemplate('{{$x := len .hellonames}}{{$x}} {{index .hellonames 1 | printf "%q"}}', vars)).toBe('2 "john doe"');
    expect(renderTemplate('{{and .n (not .missing)}}', vars)).toBe('true');
  });

  it('rejects malformed templates', () => {
    expect(() => renderTemplate('{{if .a}}x', V.obj({}))).toThrow('unexpected EOF');
    expect(() => renderTemplate('{{nosuch .a}}', V.obj({}))).toThrow('function "nosuch" not defined');
    expect(() => renderTemplate('{{.a', V.obj({}))).toThrow('unclosed action');
  });
});
