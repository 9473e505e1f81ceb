/**
 * Who is signed in: GET /v1/session on load (sessions-contract: cookie session, CSRF token).
 * What the console shows and allows follows the principal's roles, through the same
 * permission table the server uses (names.ts, kept equal by test/console/names.test.ts).
 */
import { createContext, useContext } from 'react';
import { api, setCsrfToken, toSignIn } from './api';
import { PERMISSIONS, type Permission } from './names';

export interface SessionPrincipal {
  kind: 'operator' | 'person';
  id: string;
  email: string;
  roles: string[];
}

export interface Session {
  principal: SessionPrincipal;
  csrf_token: string;
  expires_at: string;
}

/** Loads the session; a missing or ended one sends the browser to the sign-in page. */
export async function loadSession(): Promise<Session | null> {
  try {
    const session = await api<Session>('GET', '/v1/session', { allowUnauthenticated: true });
    setCsrfToken(session.csrf_token);
    return session;
  } catch (error) {
    if ((error as { status?: number }).status === 401) {
      toSignIn();
      return null;
    }
    throw error;
  }
}

export async function signOut(): Promise<void> {
  try {
    await api('POST', '/v1/session/logout', { allowUnauthenticated: true });
  } finally {
    setCsrfToken(null);
    toSignIn();
  }
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

export function allows(session: Session, permission: Permission): boolean {
  const allowed: readonly string[] = PERMISSIONS[permission];
  return session.principal.roles.some((role) => allowed.includes(role));
}

/** Whether the signed-in principal may do `permission` (buttons are hidden, not just refused). */
export function useCan(permission: Permission): boolean {
  return allows(useSession(), permission);
}
