import type { RegoVersion } from '@mandate/rego';
import { NotFoundError } from '../shared/errors.js';
import { compilePolicy } from './compile.js';
import type { ActivePolicy } from './service.js';

/** Module id → text, or null to remove that module from the candidate set. */
export type ModuleChanges = Record<string, string | null>;

let candidates = 0;

/** A fresh sandbox key per candidate: two candidates never share a compiled policy in a worker. */
export function nextCandidateKey(): string {
  candidates += 1;
  return `candidate:${candidates}`;
}

/**
 * The active module set with `changes` replacing, adding or (null) removing modules, not
 * compiled: the sandbox compiles it in its worker (a PolicyCompileError when it does not).
 */
export function candidateModules(active: ActivePolicy, changes: ModuleChanges): Record<string, string> {
  const modules: Record<string, string> = { ...active.modules };
  for (const [id, text] of Object.entries(changes)) {
    if (text === null) {
      // A typo here would silently evaluate the unchanged set and report "nothing changes".
      if (!(id in modules)) throw new NotFoundError('policy', id);
      delete modules[id];
    } else modules[id] = text;
  }
  return modules;
}

/**
 * The candidate compiled on this thread, for a service with no sandbox (tests that evaluate in
 * process): what-if replay and draft evaluation run on it.
 */
export function candidateOf(active: ActivePolicy, changes: ModuleChanges, regoVersion: RegoVersion): ActivePolicy {
  const modules = candidateModules(active, changes);
  return { ...active, modules, prepared: compilePolicy(modules, regoVersion) };
}

/**
 * The candidate to evaluate: with a sandbox, its modules only (the worker compiles them, within
 * its budget, off the event loop; `prepared` stays the active policy's and is not used); without
 * one, compiled here (candidateOf).
 */
export function candidateFor(active: ActivePolicy, changes: ModuleChanges, regoVersion: RegoVersion, sandboxed: boolean): ActivePolicy {
  return sandboxed ? { ...active, modules: candidateModules(active, changes) } : candidateOf(active, changes, regoVersion);
}
