/**
 * The frame around every page: a skip link, the navigation (ROUTES with a nav label, those the
 * principal's roles allow), who is signed in, sign-out, and the page with its heading. On
 * navigation the page heading takes focus so a screen reader announces the new page.
 */
import { useEffect, useRef } from 'react';
import { Link, matchPath, navigate, useLocation } from './router';
import { homeFor, ROUTES, type Route } from './routes';
import { allows, signOut, useSession } from './session';

function findRoute(path: string): { route: Route; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return null;
}

export function Layout() {
  const session = useSession();
  const { path } = useLocation();
  const heading = useRef<HTMLHeadingElement>(null);
  const found = findRoute(path);
  const title = found ? (typeof found.route.title === 'string' ? found.route.title : found.route.title(found.params)) : 'Not found';

  useEffect(() => {
    if (path === '/') navigate(homeFor((permission) => allows(session, permission)), { replace: true });
  }, [path, session]);
  useEffect(() => {
    document.title = `${title} · Mandate console`;
    heading.current?.focus();
  }, [title]);

  const allowed = !found?.route.permission || allows(session, found.route.permission);
  const nav = ROUTES.filter((r) => r.nav && (!r.permission || allows(session, r.permission)));
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Mandate</span>
        <nav aria-label="Main">
          <ul>
            {nav.map((r) => {
              const current = path === r.path || path.startsWith(`${r.path}/`);
              return (
                <li key={r.path}>
                  <Link to={r.path} aria-current={current ? 'page' : undefined}>
                    {r.nav}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="who">
          <span>
            {session.principal.email} <span className="roles">({session.principal.roles.join(', ') || 'no role'})</span>
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <h1 tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {!found && path !== '/' && <p>There is no page at {path}.</p>}
        {found && !allowed && <p role="alert">Your roles ({session.principal.roles.join(', ')}) do not allow this page ({found.route.permission}).</p>}
        {found && allowed && found.route.render(found.params)}
      </main>
    </>
  );
}
