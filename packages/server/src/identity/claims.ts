import type { JWTPayload } from 'jose';

/** The agent context every access token carries (claim `agent`, see docs/oauth.md). */
export interface AgentContextClaim {
  purpose: string;
  owner: string;
  data_classification: string;
  environment: string;
}

/** RFC 8693 §4.1 actor claim: the current actor, with the previous one nested inside. */
export interface ActClaim {
  sub: string;
  client_id?: string;
  act?: ActClaim;
}

/**
 * The verified claims of an agent's access token (RFC 9068): what an agent principal is known
 * by. oauth/ issues and verifies them; identity and the decision point read them.
 */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope: string;
  agent?: AgentContextClaim;
  cnf?: { jkt?: string; 'x5t#S256'?: string };
  act?: ActClaim;
}
