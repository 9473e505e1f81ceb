import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from '../shared/www-authenticate.js';
import { canonicalResource, protectedResourceMetadata, protectedResourceMetadataPath, protectedResourceMetadataUrl, resourceChallenge } from './protected-resource.js';

describe('RFC 9728 protected resource metadata', () => {
  it('inserts the well-known segment between host and path (§3.1)', () => {
    expect(protectedResourceMetadataPath('https://mcp.example.com/calendar')).toBe('/.well-known/oauth-protected-resource/calendar');
    expect(protectedResourceMetadataPath('https://mcp.example.com/calendar/')).toBe('/.well-known/oauth-protected-resource/calendar');
    expect(protectedResourceMetadataPath('https://mcp.example.com')).toBe('/.well-known/oauth-protected-resource');
    expect(protectedResourceMetadataUrl('https://mcp.example.com:8443/a/b')).toBe('https://mcp.example.com:8443/.well-known/oauth-protected-resource/a/b');
  });

  it('refuses resources that cannot be a token audience, naming why', () => {
    expect(() => canonicalResource('mcp.example.com')).toThrow(/absolute URI/);
    expect(() => canonicalResource('https://mcp.example.com/x#frag')).toThrow(/fragment/);
    expect(() => canonicalResource('https://mcp.example.com/x?a=1')).toThrow(/query/);
    expect(() => canonicalResource('ftp://mcp.example.com/x')).toThrow(/http\(s\)/);
    expect(canonicalResource('https://mcp.example.com/x')).toBe('https://mcp.example.com/x');
  });

  it('describes the resource: audience, issuer, scopes, header-only bearer tokens', () => {
    expect(protectedResourceMetadata({ resource: 'https://mcp.example.com/calendar', authorizationServers: 'https://mandate.example', scopesSupported: ['calendar:read'] })).toEqual({
      resource: 'https://mcp.example.com/calendar',
      authorization_servers: ['https://mandate.example'],
      bearer_methods_supported: ['header'],
      scopes_supported: ['calendar:read'],
    });
    expect(() => protectedResourceMetadata({ resource: 'https://mcp.example.com', authorizationServers: [] })).toThrow(/at least one issuer/);
  });

  it('challenges name the metadata and the scope; a step-up adds insufficient_scope', () => {
    const plain = parseWwwAuthenticate(resourceChallenge({ resource: 'https://mcp.example.com/calendar', scope: ['calendar:read'] }));
    expect(plain).toEqual([{ scheme: 'Bearer', params: { resource_metadata: 'https://mcp.example.com/.well-known/oauth-protected-resource/calendar', scope: 'calendar:read' } }]);
    const stepUp = parseWwwAuthenticate(resourceChallenge({ resource: 'https://mcp.example.com/calendar', scope: ['calendar:read', 'calendar:delete'], error: 'insufficient_scope', errorDescription: 'needs more' }));
    expect(stepUp[0]!.params).toMatchObject({ error: 'insufficient_scope', error_description: 'needs more', scope: 'calendar:read calendar:delete' });
  });
});
