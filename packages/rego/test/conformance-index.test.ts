/**
 * Rule indexing changes no answer: every OPA conformance case has the same outcome (pass, or
 * the same failure with the same reason, which names what was produced) with the rule index
 * and without it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { runCase, type ConformanceCase } from '../conformance/run-case.js';

const cases = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../conformance/opa-cases.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => parse(line) as unknown as ConformanceCase);

describe('rule indexing over the conformance suite', () => {
  it('gives every case the same outcome indexed and unindexed', () => {
    const nowNs = 1_767_225_600_000_000_000n;
    const differing: string[] = [];
    let passed = 0;
    for (const c of cases) {
      const indexed = runCase(c, nowNs, true);
      const unindexed = runCase(c, nowNs, false);
      if (indexed.status === 'pass') passed += 1;
      if (JSON.stringify(indexed) !== JSON.stringify(unindexed)) differing.push(`${c.id}: ${JSON.stringify(indexed)} vs ${JSON.stringify(unindexed)}`);
    }
    expect(differing).toEqual([]);
    expect(passed).toBeGreaterThan(2900);
  });
});
