import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMandate } from '../support/cli.js';

/** `--json` on the offline policy verbs: test prints one JSON document; eval refuses a second format. */
describe('mandate --json policy test|eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-policy-json-'));
  const file = join(dir, 'tested.rego');
  writeFileSync(file, 'package cli.tested\n\nimport rego.v1\n\nanswer := 42\n\ntest_right if answer == 42\n\ntest_wrong if answer == 41\n');
  // Without -d, eval asks a server: nothing listens here, so only a usage error can come back as 2.
  const nowhere = ['--url', 'http://127.0.0.1:1', '--token', 'mop_x.y'];

  it('policy test --json prints every test and the totals, and still exits 1 on a failure', async () => {
    const result = await runMandate(['--json', 'policy', 'test', file]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      tests: [
        { name: 'data.cli.tested.test_right', file: 'tested.rego', result: 'pass', message: null, output: [], duration_ms: expect.any(Number) },
        { name: 'data.cli.tested.test_wrong', file: 'tested.rego', result: 'fail', message: null, output: [], duration_ms: expect.any(Number) },
      ],
      passed: 1,
      failed: 1,
      errors: 0,
      total: 2,
    });
    expect(result.stderr).toBe('error: 1 test(s) failed\n');
    const passing = await runMandate(['--json', 'policy', 'test', file, '--run', 'test_right']);
    expect(passing.code).toBe(0);
    expect(JSON.parse(passing.stdout)).toMatchObject({ passed: 1, failed: 0, errors: 0, total: 1 });
    // Without --json, opa test's text as before.
    const text = await runMandate(['policy', 'test', file]);
    expect(text).toMatchObject({ code: 1, stdout: expect.stringMatching(/^tested\.rego:\ndata\.cli\.tested\.test_wrong: FAIL \([\d.]+ms\)\n-{80}\nPASS: 1\/2\nFAIL: 1\/2\n$/) });
  });

  it('policy eval refuses --json with -f pretty (exit 2, naming both), offline and against a server; --json alone prints the OPA result', async () => {
    for (const where of [['-d', file], []]) {
      const both = await runMandate([...nowhere, '--json', 'policy', 'eval', 'data.cli.tested.answer', ...where, '-f', 'pretty']);
      expect(both).toEqual({ code: 2, stdout: '', stderr: 'error: --json and --format pretty ask for different output: drop one (--json prints the OPA result JSON, as --format json)\n' });
    }
    const json = await runMandate(['--json', 'policy', 'eval', 'data.cli.tested.answer', '-d', file]);
    expect(JSON.parse(json.stdout).result[0].expressions[0].value).toBe(42);
  });
});
