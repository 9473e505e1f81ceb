import { describe, expect, it } from 'vitest';
import { agentIdPrefix, isAgentId, nextAgentId } from './ids.js';

describe('agent ids', () => {
  it('builds readable prefixes from name and environment', () => {
    expect(agentIdPrefix('Cal', 'production')).toBe('agent-cal-prod-');
    expect(agentIdPrefix('Calendar Assistant!', 'staging')).toBe('agent-calendar-assistant-stg-');
    expect(agentIdPrefix('agent cal', 'development')).toBe('agent-cal-dev-');
    expect(agentIdPrefix('Ünïcode Bot', 'eu-west-canary-blue')).toBe('agent-unicode-bot-eu-west-cana-');
    expect(agentIdPrefix('!!!', 'qa')).toBe('agent-unnamed-qa-');
  });

  it('counts up past the highest existing number and ignores other suffixes', () => {
    expect(nextAgentId('agent-cal-prod-', [])).toBe('agent-cal-prod-001');
    expect(nextAgentId('agent-cal-prod-', ['agent-cal-prod-001', 'agent-cal-prod-007', 'agent-cal-prod-x', 'agent-calx-prod-009'])).toBe(
      'agent-cal-prod-008',
    );
    expect(nextAgentId('agent-cal-prod-', ['agent-cal-prod-999'])).toBe('agent-cal-prod-1000');
  });

  it('generated ids satisfy the id pattern', () => {
    const id = nextAgentId(agentIdPrefix('A very long agent name that goes on and on', 'some-custom-environment'), []);
    expect(isAgentId(id)).toBe(true);
    expect(id.length).toBeLessThanOrEqual(64);
    expect(isAgentId('Agent')).toBe(false);
    expect(isAgentId('-x')).toBe(false);
    expect(isAgentId('a')).toBe(true);
  });
});
