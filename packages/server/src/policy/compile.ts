import { compileModules, type PreparedPolicy, type RegoVersion } from '@mandate/rego';
import { PolicyCompileError, regoV0Hint } from './errors.js';

/**
 * Parse and compile a module set as Rego `regoVersion`; compile errors become OPA's error list,
 * with a hint on how to convert when v1 refuses modules that are Rego v0.
 */
export function compilePolicy(modules: Record<string, string>, regoVersion: RegoVersion = 'v1'): PreparedPolicy {
  try {
    return compileModules(modules, { regoVersion });
  } catch (error) {
    const hint = regoVersion === 'v1' ? regoV0Hint(error, () => compilesAs(modules, 'v0')) : undefined;
    const mapped = PolicyCompileError.from(error, hint);
    if (mapped) throw mapped;
    throw error;
  }
}

function compilesAs(modules: Record<string, string>, regoVersion: RegoVersion): boolean {
  try {
    compileModules(modules, { regoVersion });
    return true;
  } catch {
    return false;
  }
}
