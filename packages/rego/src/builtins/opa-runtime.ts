/**
 * opa.runtime: OPA returns the runtime's configuration, environment and
 * version when it runs as a server, and an empty object when no runtime is
 * configured (as in OPA's own test harness). Mandate's engine has no OPA
 * runtime to describe, so the result is the empty object; environment
 * variables are deliberately never exposed to policies.
 */
import { RObject } from '../value.js';
import { registerBuiltins } from './registry.js';

registerBuiltins([{ name: 'opa.runtime', args: [], result: 'object', impl: () => new RObject() }]);
