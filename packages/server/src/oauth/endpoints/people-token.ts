import type { AuditLog } from '../../audit/index.js';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../shared/clock.js';
import { presentedCredentials, type FormCredentials } from '../client-auth.js';
import type { ClientDirectory, PeopleClient } from '../client-directory.js';
import type { Clients } from '../clients.js';
import { InvalidClient, InvalidClientMetadata, InvalidRequest, OAuthError, RateLimited } from '../errors.js';
import type { FormParameters } from '../form.js';
import type { PeopleGrantModule } from '../grants/people-types.js';
import type { TokenResponse } from '../grants/types.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import { tokenRequestsRefused, tokensIssued } from '../metrics.js';
import type { RefreshFamilies } from '../refresh-families.js';
import type { RefusalAudit } from '../refusals.js';
import { TokenBuckets } from '../rate-limit.js';

export interface PeopleTokenEndpointOptions {
  issuer: string;
  settings: Config['oauth'];
  authorization: Config['authorization'];
  clock: Clock;
  keys: SigningKeys;
  audit: AuditLog;
  clients: Clients;
  directory: ClientDirectory;
  families: RefreshFamilies;
  refusals: RefusalAudit;
}

/**
 * The token endpoint for people's clients (grants/people.ts): a public client names itself with
 * `client_id` (PKCE stands in for a secret, OAuth 2.1 §2.1); a confidential one authenticates
 * with its secret (Basic or post). The client is found through the directory (registered, or
 * its metadata document). Every refusal is audited, as the agents' endpoint does.
 */
export class PeopleTokenEndpoint {
  /**
   * Requests per client (`oauth.tokenRateLimitPerMinute`, as for agents), spent before the grant
   * looks at its code or refresh token. A public client has no secret, so anyone may name it: its
   * budget is kept per client and caller address, so one caller cannot spend another's.
   */
  private readonly buckets: TokenBuckets;

  constructor(private readonly options: PeopleTokenEndpointOptions) {
    this.buckets = new TokenBuckets(options.settings.tokenRateLimitPerMinute);
  }

  async handle(grant: PeopleGrantModule, form: FormParameters, authorization: string | undefined, remoteAddress?: string): Promise<TokenResponse> {
    const { clock, settings, authorization: people } = this.options;
    let presented: FormCredentials | null = null;
    try {
      presented = presentedCredentials(authorization, form);
      const client = await this.authenticate(presented, form);
      const budget = client.type === 'public' ? `${client.clientId} ${remoteAddress ?? ''}` : client.clientId;
      const wait = this.buckets.take(budget, clock.now());
      if (wait > 0) throw new RateLimited(wait);
      const response = await grant.handler({
        form,
        client,
        now: clock.now(),
        issuer: this.options.issuer,
        accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
        refreshTokenTtlSeconds: people.refreshTokenTtlSeconds,
        keys: this.options.keys,
        audit: this.options.audit,
        families: this.options.families,
      });
      tokensIssued.inc({ grant_type: grant.grantType });
      return response;
    } catch (error) {
      if (error instanceof OAuthError) {
        tokenRequestsRefused.inc({ error: error.code });
        const clientId = presented?.clientId ?? form.get('client_id') ?? null;
        await this.options.refusals.record('oauth.token.refused', error, { presented, agent: null, details: { grant_type: grant.grantType, client_id: clientId?.slice(0, 300) ?? null } });
      }
      throw error;
    }
  }

  private async authenticate(presented: FormCredentials | null, form: FormParameters): Promise<PeopleClient> {
    const clientId = presented?.clientId ?? form.get('client_id');
    if (clientId === undefined) throw new InvalidClient("client authentication is required: a public client sends its 'client_id'");
    let client: PeopleClient;
    try {
      client = await this.options.directory.resolve(clientId);
    } catch (error) {
      if (error instanceof InvalidClientMetadata) throw new InvalidClient(error.message);
      throw error;
    }
    if (client.type === 'public') {
      if (presented !== null) throw new InvalidRequest('a public client does not authenticate with a secret or assertion; send client_id only');
      return client;
    }
    if (presented === null) throw new InvalidClient('a confidential client must authenticate (client_secret_basic or client_secret_post)');
    if (presented.method === 'private_key_jwt') throw new InvalidClient('people’s confidential clients authenticate with client_secret_basic or client_secret_post');
    if (!(await this.options.clients.verifySecret(client.clientId, presented.secret))) throw new InvalidClient('client authentication failed');
    return client;
  }
}
