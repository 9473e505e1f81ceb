/**
 * The console copies a few of the server's tables (it bundles no server code): they must not
 * drift, or the console would offer a move the server refuses or hide a page a role may see.
 */
import { describe, expect, it } from 'vitest';
import * as consoleNames from '@mandate/console/names';
import { APPROVAL_STATUSES } from '../../src/approvals/types.js';
import { PERMISSIONS } from '../../src/operators/roles.js';
import { CLASSIFICATION_NAMES } from '../../src/registry/classification.js';
import { AGENT_STATUSES, LIFECYCLE_ACTION_NAMES, LIFECYCLE_ACTIONS, STATUS_RULES } from '../../src/registry/lifecycle.js';

describe("the console's copies of server names", () => {
  it('match the registry: classifications, statuses, lifecycle verbs and the moves each status allows', () => {
    expect([...consoleNames.CLASSIFICATION_NAMES]).toEqual([...CLASSIFICATION_NAMES]);
    expect([...consoleNames.AGENT_STATUS_NAMES]).toEqual([...AGENT_STATUSES]);
    expect([...consoleNames.LIFECYCLE_ACTION_NAMES]).toEqual([...LIFECYCLE_ACTION_NAMES]);
    for (const status of AGENT_STATUSES) {
      const moves = consoleNames.LIFECYCLE_MOVES[status].map((verb) => LIFECYCLE_ACTIONS[verb].to);
      expect([...moves].sort(), status).toEqual([...STATUS_RULES[status].next].sort());
    }
  });

  it('match the approval statuses and the permission table for every permission the console asks about', () => {
    expect([...consoleNames.APPROVAL_STATUS_NAMES]).toEqual([...APPROVAL_STATUSES]);
    for (const [permission, roles] of Object.entries(consoleNames.PERMISSIONS)) {
      expect([...roles], permission).toEqual([...PERMISSIONS[permission as keyof typeof PERMISSIONS]]);
    }
  });
});
