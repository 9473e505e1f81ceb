import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The default policy bundle: the `.rego` files in `src/policy/default-bundle/` (tests, named
 * `*_test.rego`, stay out). `tsc` does not copy them, so from `dist/policy/` they are read at
 * `../../src/policy/default-bundle/` — which a fresh clone always has; a build that ships
 * without `src/` copies the folder next to this module instead (checked first).
 */
const CANDIDATES = [new URL('./default-bundle/', import.meta.url), new URL('../../src/policy/default-bundle/', import.meta.url)];

/** Module id under which each default file is stored (`PUT /v1/policies/<id>` replaces it). */
export const DEFAULT_MODULE_PREFIX = 'mandate/';

export function defaultBundleDir(): string {
  for (const url of CANDIDATES) {
    const dir = fileURLToPath(url);
    if (existsSync(dir)) return dir;
  }
  throw new Error(`the default policy bundle is missing (looked in ${CANDIDATES.map((u) => fileURLToPath(u)).join(', ')})`);
}

/** Module id → text of every default policy module. */
export function loadDefaultBundle(): Record<string, string> {
  const dir = defaultBundleDir();
  const modules: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.rego') || name.endsWith('_test.rego')) continue;
    modules[`${DEFAULT_MODULE_PREFIX}${name}`] = readFileSync(`${dir}${name}`, 'utf8');
  }
  if (Object.keys(modules).length === 0) throw new Error(`the default policy bundle in ${dir} has no modules`);
  return modules;
}
