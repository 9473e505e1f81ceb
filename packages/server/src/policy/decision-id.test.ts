import { describe, expect, it } from 'vitest';
import { decisionId } from './decision-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('decisionId', () => {
  it('is a UUIDv7 carrying the decision time in its first 48 bits', () => {
    const at = Date.UTC(2026, 10, 28, 22, 21, 2, 334);
    const id = decisionId(at);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time as text (so the audit subject index grows at its edge) and never repeats', () => {
    const start = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 2000 }, (_, i) => decisionId(start + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 10; i < ids.length; i += 10) expect(ids[i - 1]! < ids[i]!).toBe(true);
  });
});
