import type { AuditLog } from '../../audit/index.js';
import type { Config } from '../../config/schema.js';
import { epochSeconds, type Clock } from '../../shared/clock.js';
import { randomId } from '../../shared/ids.js';
import { codeIssuedEvent, newCode, storeCode } from '../codes.js';
import type { ClientDirectory, PeopleClient } from '../client-directory.js';
import type { Consents } from '../consents.js';
import { InvalidClientMetadata, InvalidRequest, OAuthError } from '../errors.js';
import { TokenBuckets } from '../rate-limit.js';
import { parseScope } from '../form.js';
import { personActor } from '../people-actor.js';
import { isS256Challenge } from '../pkce.js';
import type { RefusalAudit } from '../refusals.js';
import { isResourceIndicator, type ResourceServers } from '../resource-servers.js';

/** The person the browser is signed in as (the signin context's session), as plain values. */
export interface SignedInPerson {
  userId: string;
  email: string | null;
}

/** What the consent page shows and carries back (every parameter of the request, re-validated on submit). */
export interface ConsentView {
  client: Pick<PeopleClient, 'clientId' | 'name' | 'clientUri' | 'logoUri' | 'source' | 'warning'>;
  scopes: string[];
  resource: string;
  resourceName: string;
  user: SignedInPerson;
  /** The authorization request's parameters, to post back with the decision. */
  parameters: Record<string, string>;
}

/** What the route does with an authorization request. */
export type AuthorizeOutcome =
  /**
   * Client or redirect URI unusable (RFC 6749 §4.1.2.1), or the address over its rate: shown to
   * the person, never redirected (`retryAfterSeconds` becomes Retry-After).
   */
  | { kind: 'error_page'; status: number; error: string; description: string; retryAfterSeconds?: number }
  /** A redirect to the client: a code, or an error (with state and iss). */
  | { kind: 'redirect'; location: string }
  | { kind: 'signin' }
  | { kind: 'consent'; view: ConsentView };

/** The parameters an authorization request may carry (each at most once). */
export const AUTHORIZE_PARAMETERS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'resource', 'prompt'] as const;

export interface AuthorizationEndpointOptions {
  issuer: string;
  settings: Config['authorization'];
  clock: Clock;
  audit: AuditLog;
  directory: ClientDirectory;
  consents: Consents;
  resourceServers: ResourceServers;
  refusals: RefusalAudit;
}

/** An error for the client, carried on the redirect (RFC 6749 §4.1.2.1) with `state` and RFC 9207 `iss`. */
class RedirectableError extends OAuthError {}

const redirectable = (code: string, description: string) => new RedirectableError(code, 400, description);

/**
 * `GET /oauth2/authorize` (RFC 6749 §4.1.1 with OAuth 2.1's rules): the client and its exact
 * redirect URI are checked first (errors shown on a page), then response_type=code, PKCE S256
 * (required; `plain` refused), `resource` (RFC 8707, required: the audience of the tokens) and
 * the scopes it accepts. A person not signed in is sent to sign in; one who consented before to
 * this client, resource and scope set gets a code at once; otherwise the consent page. Codes
 * are random, stored as SHA-256, single use and live `authorization.codeTtlSeconds`.
 */
export class AuthorizationEndpoint {
  /** Requests per source address (authorization.requestsPerMinutePerAddress). */
  private readonly requests: TokenBuckets;

  constructor(private readonly options: AuthorizationEndpointOptions) {
    this.requests = new TokenBuckets(options.settings.requestsPerMinutePerAddress);
  }

  /**
   * One request from `address`, the browser's. Over the address's rate it is refused before
   * anything else (no client resolved, no metadata fetched, nothing audited): the endpoint is
   * open to anyone, so without this each request could cost an audit entry and a fetch.
   */
  async handle(query: Record<string, unknown>, person: SignedInPerson | null, address: string, decision?: 'allow' | 'deny'): Promise<AuthorizeOutcome> {
    const wait = this.requests.take(address, this.options.clock.now());
    if (wait > 0) {
      const description = `too many authorization requests from this address; retry after ${wait} s (authorization.requestsPerMinutePerAddress)`;
      return { kind: 'error_page', status: 429, error: 'rate_limited', description, retryAfterSeconds: wait };
    }
    let parameters: Record<string, string>;
    let client: PeopleClient;
    try {
      parameters = this.parameters(query);
      client = await this.clientOf(parameters);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      await this.refused(error, query, person);
      return { kind: 'error_page', status: error.status, error: error.code, description: error.message };
    }
    const redirectUri = parameters.redirect_uri!;
    const state = parameters.state;
    try {
      const request = await this.validate(parameters, client);
      if (!person) return { kind: 'signin' };
      if (decision === 'deny') throw redirectable('access_denied', 'the person declined the request');
      const remembered = parameters.prompt !== 'consent' && (await this.options.consents.find(person.userId, client.clientId, request.resource, request.scopes)) !== null;
      if (decision !== 'allow' && !remembered) {
        return { kind: 'consent', view: { client, scopes: request.scopes, resource: request.resource, resourceName: request.resourceName, user: person, parameters } };
      }
      if (decision === 'allow') await this.options.consents.grant({ userId: person.userId, clientId: client.clientId, clientName: client.name, resource: request.resource, scopes: request.scopes }, personActor(person.userId));
      const code = await this.issueCode(person, client, redirectUri, request);
      return { kind: 'redirect', location: this.redirect(redirectUri, { code, state }) };
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      await this.refused(error, parameters, person);
      return { kind: 'redirect', location: this.redirect(redirectUri, { error: error.code, error_description: error.message, state }) };
    }
  }

  /** Each known parameter at most once, within the length limit; unknown ones ignored (RFC 6749 §3.1). */
  private parameters(query: Record<string, unknown>): Record<string, string> {
    const max = this.options.settings.parameterMaxLength;
    const out: Record<string, string> = {};
    for (const name of AUTHORIZE_PARAMETERS) {
      const value = query[name];
      if (value === undefined || value === '') continue;
      if (typeof value !== 'string') throw new InvalidRequest(`parameter '${name}' is included more than once`);
      if (value.length > max) throw new InvalidRequest(`parameter '${name}' is longer than ${max} characters (authorization.parameterMaxLength)`);
      out[name] = value;
    }
    return out;
  }

  private async clientOf(parameters: Record<string, string>): Promise<PeopleClient> {
    const clientId = parameters.client_id;
    if (clientId === undefined) throw new InvalidRequest("missing required parameter 'client_id'");
    const client = await this.options.directory.resolve(clientId);
    const redirectUri = parameters.redirect_uri;
    if (redirectUri === undefined) throw new InvalidRequest("missing required parameter 'redirect_uri'");
    // Exact string comparison (OAuth 2.1 §2.3.1); loopback ports are not wildcarded.
    if (!client.redirectUris.includes(redirectUri)) throw new InvalidClientMetadata(`redirect_uri '${redirectUri}' is not registered for client '${clientId}'`);
    return client;
  }

  private async validate(parameters: Record<string, string>, client: PeopleClient): Promise<{ resource: string; resourceName: string; scopes: string[]; codeChallenge: string }> {
    if (parameters.response_type !== 'code') throw redirectable('unsupported_response_type', `response_type must be 'code', not '${parameters.response_type ?? ''}'`);
    const challenge = parameters.code_challenge;
    if (challenge === undefined) throw redirectable('invalid_request', 'code_challenge is required (PKCE with S256)');
    if (parameters.code_challenge_method !== 'S256') throw redirectable('invalid_request', `code_challenge_method must be S256 (${parameters.code_challenge_method === undefined ? 'missing means plain' : `'${parameters.code_challenge_method}'`} is not supported)`);
    if (!isS256Challenge(challenge)) throw redirectable('invalid_request', 'code_challenge must be the 43-character base64url SHA-256 of the verifier');
    const resource = parameters.resource;
    if (resource === undefined) throw redirectable('invalid_target', 'resource is required (RFC 8707): the canonical URI of the MCP server or API the token is for');
    if (!isResourceIndicator(resource)) throw redirectable('invalid_target', 'resource must be an absolute URI without a fragment (RFC 8707)');
    const server = await this.options.resourceServers.findByAudience(resource);
    if (!server) throw redirectable('invalid_target', `unknown resource '${resource}'`);
    let scopes: string[];
    try {
      scopes = parseScope(parameters.scope) ?? [];
    } catch (error) {
      throw redirectable('invalid_scope', (error as Error).message);
    }
    const unknown = scopes.filter((scope) => !server.scopes.includes(scope));
    if (unknown.length > 0) throw redirectable('invalid_scope', `resource '${resource}' does not accept scope ${unknown.join(' ')}`);
    void client;
    return { resource: server.audience, resourceName: server.name, scopes, codeChallenge: challenge };
  }

  private async issueCode(person: SignedInPerson, client: PeopleClient, redirectUri: string, request: { resource: string; scopes: string[]; codeChallenge: string }): Promise<string> {
    const now = epochSeconds(this.options.clock.now());
    const { code, row } = newCode(
      { clientId: client.clientId, userId: person.userId, redirectUri, codeChallenge: request.codeChallenge, resource: request.resource, scopes: request.scopes },
      randomId('fam', 12),
      now + this.options.settings.codeTtlSeconds,
    );
    await this.options.audit.withEntry(async (trx) => {
      await storeCode(trx, row);
      return { result: null, events: [codeIssuedEvent(row)] };
    });
    return code;
  }

  /** The client's redirect URI with the response added to its query (RFC 9207 `iss` always). */
  private redirect(redirectUri: string, members: Record<string, string | undefined>): string {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries(members)) if (value !== undefined) url.searchParams.append(name, value);
    url.searchParams.append('iss', this.options.issuer);
    return url.toString();
  }

  private async refused(error: OAuthError, parameters: Record<string, unknown>, person: SignedInPerson | null): Promise<void> {
    const clientId = typeof parameters.client_id === 'string' ? parameters.client_id.slice(0, 300) : null;
    await this.options.refusals.record('oauth.authorize.refused', error, { presented: null, agent: null, details: { client_id: clientId, user: person?.userId ?? null, redirect_uri: typeof parameters.redirect_uri === 'string' ? parameters.redirect_uri.slice(0, 300) : null } });
  }
}
