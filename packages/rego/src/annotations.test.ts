import { describe, expect, it } from 'vitest';
import { compileModules } from './policy.js';
import { toJSON } from './value.js';

describe('METADATA annotations', () => {
  const policy = compileModules({
    'a.rego': `# METADATA
# description: the authz package
# organizations: [Acme]
package authz

# METADATA
# scope: document
# title: allow
allow := "no" if false

# METADATA
# title: Allow reads
# authors:
# - Jane Doe <jane@example.com>
# custom:
#   severity: high
allow := rego.metadata.chain() if true

plain := rego.metadata.rule()
`,
  });

  it('gives rego.metadata.chain() the rule, its document and its package', () => {
    expect(JSON.parse(toJSON(policy.evaluate('data.authz.allow')!))).toEqual([
      {
        path: ['authz', 'allow'],
        annotations: { scope: 'rule', title: 'Allow reads', authors: [{ name: 'Jane Doe', email: 'jane@example.com' }], custom: { severity: 'high' } },
      },
      { path: ['authz', 'allow'], annotations: { scope: 'document', title: 'allow' } },
      { path: ['authz'], annotations: { scope: 'package', description: 'the authz package', organizations: ['Acme'] } },
    ]);
  });

  it('gives rego.metadata.rule() the rule annotations, or {} when there are none', () => {
    expect(toJSON(policy.evaluate('data.authz.plain')!)).toBe('{}');
    expect(toJSON(policy.query('x := rego.metadata.chain()')[0]!.x!)).toBe('[]');
  });

  it('rejects unknown annotation keys and bad YAML as parse errors', () => {
    expect(() => compileModules({ 'b.rego': '# METADATA\n# colour: red\npackage b\n' })).toThrow(/rego_parse_error: invalid annotation key 'colour'/);
    expect(() => compileModules({ 'b.rego': '# METADATA\n# title: [\npackage b\n' })).toThrow(/rego_parse_error: yaml/);
  });
});
