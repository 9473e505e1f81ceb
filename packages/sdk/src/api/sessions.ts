/**
 * Browser sessions of operators and people as the server shows them (`GET /v1/sessions`,
 * `GET /v1/sessions/mine`; docs/signin.md). Types only: sessions are the browser's (the
 * session cookie), so the SDK's bearer clients do not call these routes; the console and the
 * CLI read them with these shapes.
 */
export interface BrowserSession {
  id: string;
  kind: 'operator' | 'person';
  principal_id: string;
  email: string;
  method: 'token' | 'idp';
  idp: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  idle_expires_at: string;
}

/** A session in the caller's own list: `current` marks the one asking. */
export interface OwnBrowserSession extends BrowserSession {
  current: boolean;
}
