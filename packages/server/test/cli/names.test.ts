import { describe, expect, it } from 'vitest';
import { CLASSIFICATION_NAMES, LIFECYCLE_ACTION_NAMES } from '../../src/cli/names.js';
import { CLASSIFICATION_NAMES as REGISTRY_CLASSIFICATIONS } from '../../src/registry/classification.js';
import { LIFECYCLE_ACTION_NAMES as REGISTRY_LIFECYCLE_ACTIONS } from '../../src/registry/lifecycle.js';

/** cli/names.ts copies names the registry owns (so client verbs load no server code); they must not drift. */
describe('the CLI names the registry owns', () => {
  it('lists the data classifications of registry/classification.ts, in order', () => {
    expect([...CLASSIFICATION_NAMES]).toEqual([...REGISTRY_CLASSIFICATIONS]);
  });

  it('has one agent command per lifecycle action of registry/lifecycle.ts', () => {
    expect([...LIFECYCLE_ACTION_NAMES]).toEqual([...REGISTRY_LIFECYCLE_ACTIONS]);
  });
});
