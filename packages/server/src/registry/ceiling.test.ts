import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../shared/errors.js';
import { assertWithinCeiling } from './ceiling.js';

const ceiling = { scopes: ['files:read'], tools: ['files-api'], maxClassification: 'internal' };
const owner = { owner: 'olga@example.com', ceiling };
const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ForbiddenError);
    return (error as ForbiddenError & { details: Record<string, unknown> }).details;
  }
  throw new Error('expected a refusal');
};

describe('grant ceiling', () => {
  it('a tool entry covers the tool and its operations, not a longer name', () => {
    expect(() => assertWithinCeiling({ tools: ['files-api', 'files-api:files.get'] }, owner)).not.toThrow();
    expect(refusal(() => assertWithinCeiling({ tools: ['files-apix', 'files-api-admin:x'] }, owner))).toMatchObject({ exceeds: { tools: ['files-apix', 'files-api-admin:x'] } });
  });

  it('checks classification by rank and fails closed on unknown names', () => {
    expect(() => assertWithinCeiling({ dataClassification: 'public' }, owner)).not.toThrow();
    expect(refusal(() => assertWithinCeiling({ dataClassification: 'confidential' }, owner))).toMatchObject({ exceeds: { data_classification: 'confidential' } });
    expect(refusal(() => assertWithinCeiling({ dataClassification: 'secret' as never }, owner))).toMatchObject({ rule: 'grant_ceiling' });
  });

  it('without a ceiling an owner grants nothing; admins (no owner scope) are not limited', () => {
    expect(() => assertWithinCeiling({ scopes: [], tools: [], dataClassification: 'public' }, { owner: 'olga@example.com' })).not.toThrow();
    expect(refusal(() => assertWithinCeiling({ scopes: ['files:read'] }, { owner: 'olga@example.com', ceiling: null }))).toMatchObject({ exceeds: { scopes: ['files:read'] } });
    expect(() => assertWithinCeiling({ scopes: ['admin'], tools: ['shell'], dataClassification: 'restricted' }, {})).not.toThrow();
  });
});
