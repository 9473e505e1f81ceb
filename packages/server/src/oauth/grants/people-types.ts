import type { AuditLog } from '../../audit/index.js';
import type { PeopleClient } from '../client-directory.js';
import type { FormParameters } from '../form.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import type { RefreshFamilies } from '../refresh-families.js';
import type { TokenResponse } from './types.js';

/** Everything a people's grant (authorization code, refresh token) needs; no HTTP in here. */
export interface PeopleGrantContext {
  form: FormParameters;
  /** The client, authenticated (confidential) or identified by its client_id (public). */
  client: PeopleClient;
  /** Epoch milliseconds. */
  now: number;
  issuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  keys: SigningKeys;
  audit: AuditLog;
  families: RefreshFamilies;
}

/** A people's grant, as the agents' ones (grants/types.ts), but its client is a person's client. */
export interface PeopleGrantModule {
  grantType: string;
  parameters: readonly string[];
  handler(context: PeopleGrantContext): Promise<TokenResponse>;
}
