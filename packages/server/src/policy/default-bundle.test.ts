import { describe, expect, it } from 'vitest';
import { runTest, type PolicyIO } from '../cli/policy-offline.js';
import { defaultBundleDir, loadDefaultBundle } from './default-bundle.js';
import { compilePolicy } from './service.js';

describe('the default bundle', () => {
  it('loads the modules (not the tests) and compiles', () => {
    const modules = loadDefaultBundle();
    expect(Object.keys(modules)).toEqual(['mandate/authz.rego']);
    expect(() => compilePolicy(modules)).not.toThrow();
  });

  it('passes its own Rego tests (mandate policy test)', () => {
    let out = '';
    const io: PolicyIO = { out: (t) => void (out += t), err: (t) => void (out += t), nowNs: () => 1_767_225_600_000_000_000n, monotonicMs: () => 0 };
    const summary = runTest([defaultBundleDir()], {}, io);
    expect(summary, out).toEqual({ passed: 11, failed: 0, errors: 0 });
  });
});
