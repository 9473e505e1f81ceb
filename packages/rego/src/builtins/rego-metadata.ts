/**
 * rego.metadata.rule / rego.metadata.chain. Inside a rule the compiler replaces the calls with
 * the rule's annotations (compile.ts, annotations.ts), as OPA's compiler does; what remains is a
 * call from a query, which belongs to no rule: no annotations, and a chain of no entries.
 */
import { RObject } from '../value.js';
import { registerBuiltins } from './registry.js';

registerBuiltins([
  { name: 'rego.metadata.rule', args: [], result: 'object', impl: () => new RObject() },
  { name: 'rego.metadata.chain', args: [], result: 'array', impl: () => [] },
]);
