import { describe, expect, it } from 'vitest';
import { classificationRank, CLASSIFICATION_NAMES, isDataClassification, permitsClassification } from './classification.js';

describe('data classifications', () => {
  it('rank public < internal < confidential < restricted', () => {
    expect(CLASSIFICATION_NAMES).toEqual(['public', 'internal', 'confidential', 'restricted']);
    expect(CLASSIFICATION_NAMES.map(classificationRank)).toEqual([0, 1, 2, 3]);
  });

  it('permit data at or below the ceiling only', () => {
    expect(permitsClassification('confidential', 'internal')).toBe(true);
    expect(permitsClassification('confidential', 'confidential')).toBe(true);
    expect(permitsClassification('confidential', 'restricted')).toBe(false);
    expect(permitsClassification('public', 'internal')).toBe(false);
  });

  it('refuse unknown names instead of ranking them as public', () => {
    expect(isDataClassification('secret')).toBe(false);
    expect(() => classificationRank('secret' as never)).toThrow(/unknown data classification/);
  });
});
