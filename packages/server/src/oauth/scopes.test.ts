import { describe, expect, it } from 'vitest';
import { InvalidScope } from './errors.js';
import { grantScopes } from './scopes.js';

describe('grantScopes', () => {
  const agent = ['calendar.read', 'calendar.write', 'mail.send'];
  it('gives every registered scope when none is requested', () => {
    expect(grantScopes(undefined, agent, null)).toEqual(agent);
  });
  it('gives exactly the requested subset', () => {
    expect(grantScopes(['calendar.read'], agent, null)).toEqual(['calendar.read']);
  });
  it('refuses scopes the agent does not have, naming them', () => {
    expect(() => grantScopes(['calendar.read', 'admin'], agent, null)).toThrow(InvalidScope);
    expect(() => grantScopes(['admin'], agent, null)).toThrow(/admin/);
  });
  it('keeps only what the audience accepts, and refuses an empty result', () => {
    expect(grantScopes(undefined, agent, ['calendar.read', 'calendar.write', 'other'])).toEqual(['calendar.read', 'calendar.write']);
    expect(grantScopes(['calendar.read', 'mail.send'], agent, ['calendar.read'])).toEqual(['calendar.read']);
    expect(() => grantScopes(['mail.send'], agent, ['calendar.read'])).toThrow(InvalidScope);
  });
});
