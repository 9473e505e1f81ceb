import { describe, expect, it } from 'vitest';
import { APPROVAL_STATUSES } from '../../src/approvals/types.js';
import { AGENT_STATUS_NAMES, APPROVAL_STATUS_NAMES, CLASSIFICATION_NAMES, GRANT_REQUEST_STATUS_NAMES, LIFECYCLE_ACTION_NAMES, ROLE_NAMES } from '../../src/cli/names.js';
import { GRANT_REQUEST_STATUSES } from '../../src/registry/types.js';
import { ROLES } from '../../src/identity/roles.js';
import { ALERT_STATUS_NAMES, SERIES_BUCKETS_MAX as CLI_BUCKETS_MAX, SERIES_WINDOW_NAMES, SEVERITY_NAMES, SIGNAL_NAMES } from '../../src/cli/names.js';
import { ALERT_STATUSES, SERIES_BUCKETS_MAX, SERIES_WINDOWS, SEVERITIES, ALERT_SIGNAL_NAMES as MONITOR_SIGNALS } from '../../src/monitoring/index.js';
import { CLASSIFICATION_NAMES as REGISTRY_CLASSIFICATIONS } from '../../src/registry/classification.js';
import { AGENT_STATUSES, LIFECYCLE_ACTION_NAMES as REGISTRY_LIFECYCLE_ACTIONS } from '../../src/registry/lifecycle.js';

/** cli/names.ts copies names the server owns (so client verbs load no server code); they must not drift. */
describe('the CLI names the server owns', () => {
  it('lists the data classifications of registry/classification.ts, in order', () => {
    expect([...CLASSIFICATION_NAMES]).toEqual([...REGISTRY_CLASSIFICATIONS]);
  });

  it('has one agent command per lifecycle action of registry/lifecycle.ts', () => {
    expect([...LIFECYCLE_ACTION_NAMES]).toEqual([...REGISTRY_LIFECYCLE_ACTIONS]);
  });

  it('lists the agent statuses of registry/lifecycle.ts', () => {
    expect([...AGENT_STATUS_NAMES]).toEqual([...AGENT_STATUSES]);
  });

  it('lists the operator roles of identity/roles.ts', () => {
    expect([...ROLE_NAMES]).toEqual([...ROLES]);
  });

  it('lists the approval statuses of approvals/types.ts', () => {
    expect([...APPROVAL_STATUS_NAMES]).toEqual([...APPROVAL_STATUSES]);
  });

  it('lists the alert statuses, signals and severities of monitoring/', () => {
    expect([...ALERT_STATUS_NAMES]).toEqual([...ALERT_STATUSES]);
    expect([...SIGNAL_NAMES]).toEqual([...MONITOR_SIGNALS]);
    expect([...SEVERITY_NAMES]).toEqual([...SEVERITIES]);
    expect([...SERIES_WINDOW_NAMES]).toEqual([...SERIES_WINDOWS]);
    expect(CLI_BUCKETS_MAX).toBe(SERIES_BUCKETS_MAX);
  });

  it('lists the grant request statuses of registry/types.ts', () => {
    expect([...GRANT_REQUEST_STATUS_NAMES]).toEqual([...GRANT_REQUEST_STATUSES]);
  });
});
