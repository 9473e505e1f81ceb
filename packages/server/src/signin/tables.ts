import { tablesOf, type Executor } from '../storage/index.js';

/**
 * A browser session. The cookie's value is never stored: only its SHA-256 (`token_hash`), so a
 * copy of the database signs no one in. `id` is the public handle (admin list, revoke, audit).
 */
export interface SessionRow {
  id: string;
  token_hash: string;
  /** `operator` (an operator's session, roles read live) or `person` (signed in at an IdP). */
  kind: string;
  /** The operator's id, or the person's id (`person:<idp id>:<sub>`). */
  principal_id: string;
  email: string;
  /** How the session began: `token` (an operator token pasted in the sign-in form) or `idp`. */
  method: string;
  /** The configured IdP (signin.idps[].id) and its subject, for sessions that began there. */
  idp_id: string | null;
  subject: string | null;
  /** The browser's User-Agent, cut to 200 characters, so an admin can tell sessions apart. */
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  /** Absolute end (created_at + signin.sessionTtlSeconds); the idle end is last_seen_at + signin.sessionIdleSeconds. */
  expires_at: string;
  revoked_at: string | null;
  /** `logout` (the holder signed out) or `revoked` (an admin ended it). */
  revoked_reason: string | null;
}

export interface SigninTables {
  signin_sessions: SessionRow;
}

/** This context's typed view of the database or of an open transaction: only its own tables. */
export const signinTables = (executor: Executor) => tablesOf<SigninTables>(executor);
