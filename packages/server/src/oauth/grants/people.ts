import { authorizationCode } from './authorization-code.js';
import type { PeopleGrantModule } from './people-types.js';
import { refreshToken } from './refresh-token.js';

/** The grants of people's clients (authorization code, refresh token), dispatched like GRANTS. */
export const PEOPLE_GRANTS: ReadonlyMap<string, PeopleGrantModule> = new Map([authorizationCode, refreshToken].map((grant) => [grant.grantType, grant]));
