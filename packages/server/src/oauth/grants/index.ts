import { clientCredentials } from './client-credentials.js';
import { idJag } from './id-jag.js';
import { tokenExchange } from './token-exchange.js';
import type { GrantModule } from './types.js';

/**
 * The token endpoint dispatches through this map (STYLE.md §2). Adding a grant (token
 * exchange, RFC 8693) is a new module and one line here.
 */
export const GRANTS: ReadonlyMap<string, GrantModule> = new Map([clientCredentials, tokenExchange, idJag].map((grant) => [grant.grantType, grant]));
