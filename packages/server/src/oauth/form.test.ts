import { describe, expect, it } from 'vitest';
import { InvalidRequest } from './errors.js';
import { parseForm, parseScope } from './form.js';

describe('parseForm', () => {
  it('decodes + and percent-encoding and drops empty values', () => {
    const form = parseForm('grant_type=client_credentials&scope=a+b%3Ac&resource=&x');
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'client_credentials', scope: 'a b:c' });
  });
  it('refuses repeated parameters and malformed encoding', () => {
    expect(() => parseForm('scope=a&scope=b')).toThrow(InvalidRequest);
    expect(() => parseForm('scope=%zz')).toThrow(/malformed/);
    expect(() => parseForm('=x')).toThrow(/no name/);
  });
});

describe('parseScope', () => {
  it('splits on spaces, removes duplicates, refuses bad characters', () => {
    expect(parseScope('a  b a')).toEqual(['a', 'b']);
    expect(parseScope(undefined)).toBeUndefined();
    expect(() => parseScope('a "b"')).toThrow(/RFC 6749/);
  });
});
