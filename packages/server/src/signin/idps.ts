import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import type { IdpSetting } from '../config/defaults.js';

/** An upstream OpenID Provider as configured, with its client secret read at start-up. */
export interface Upstream {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  /** Null: a public client (PKCE only, `token_endpoint_auth_method=none`). */
  secret: string | null;
  allowedEmailDomains: string[] | null;
  requiredClaim: { name: string; values: string[] } | null;
  scopes: string;
}

/**
 * Reads each IdP's client secret (from its file, or its environment variable) at start-up, so a
 * missing secret stops the start with an error naming the key instead of failing a sign-in later.
 */
export function loadUpstreams(settings: readonly IdpSetting[], env: NodeJS.ProcessEnv = process.env): Upstream[] {
  return settings.map((idp, index) => {
    const key = `signin.idps.${index}`;
    let secret: string | null = null;
    if (idp.clientSecretFile) {
      try {
        secret = readFileSync(idp.clientSecretFile, 'utf8').trim();
      } catch (error) {
        throw new Error(`invalid configuration:\n  ${key}.clientSecretFile: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (!secret) throw new Error(`invalid configuration:\n  ${key}.clientSecretFile: the file is empty`);
    } else if (idp.clientSecretEnv) {
      secret = env[idp.clientSecretEnv]?.trim() || null;
      if (!secret) throw new Error(`invalid configuration:\n  ${key}.clientSecretEnv: the environment variable ${idp.clientSecretEnv} is not set`);
    }
    return {
      id: idp.id,
      name: idp.name ?? idp.id,
      issuer: idp.issuer,
      clientId: idp.clientId,
      secret,
      allowedEmailDomains: idp.allowedEmailDomains?.map((d) => d.toLowerCase()) ?? null,
      requiredClaim: idp.requiredClaim ?? null,
      scopes: idp.scopes ?? 'openid email profile',
    };
  });
}

const LOOPBACK_HTTP = /^http:\/\/(?:localhost|127\.[\d.]+|\[::1\])(?::\d+)?(?:\/|$)/;

/**
 * The openid-client configuration of each upstream, discovered on first use and kept (a failed
 * discovery is tried again next time). Plain http is accepted only for an issuer on a loopback
 * host (a developer's or a test's IdP); anything else must be https.
 */
export class UpstreamClients {
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(
    readonly upstreams: readonly Upstream[],
    private readonly timeoutMs: number,
  ) {}

  find(id: string): Upstream | undefined {
    return this.upstreams.find((u) => u.id === id);
  }

  configuration(upstream: Upstream): Promise<oidc.Configuration> {
    let pending = this.configurations.get(upstream.id);
    if (!pending) {
      const insecure = LOOPBACK_HTTP.test(upstream.issuer);
      pending = oidc.discovery(new URL(upstream.issuer), upstream.clientId, upstream.secret ?? undefined, upstream.secret ? oidc.ClientSecretBasic(upstream.secret) : oidc.None(), {
        timeout: Math.ceil(this.timeoutMs / 1000),
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      pending.catch(() => this.configurations.delete(upstream.id));
      this.configurations.set(upstream.id, pending);
    }
    return pending;
  }
}

/** Why the IdP's claims do not admit the person at this upstream, or null when they do. */
export function admissionRefusal(upstream: Upstream, claims: Record<string, unknown>): string | null {
  if (upstream.allowedEmailDomains) {
    const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
    if (!email) return `${upstream.name} gave no email address, and only emails of ${upstream.allowedEmailDomains.join(', ')} may sign in`;
    if (claims.email_verified === false) return `${upstream.name} has not verified the email address ${email}`;
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!upstream.allowedEmailDomains.includes(domain)) return `the email domain '${domain}' may not sign in through ${upstream.name} (allowed: ${upstream.allowedEmailDomains.join(', ')})`;
  }
  if (upstream.requiredClaim) {
    const { name, values } = upstream.requiredClaim;
    const held = claims[name];
    const ok = Array.isArray(held) ? held.some((v) => values.includes(String(v))) : held !== undefined && values.includes(String(held));
    if (!ok) return `the '${name}' claim from ${upstream.name} does not hold one of: ${values.join(', ')}`;
  }
  return null;
}
