import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { describeError } from './api';
import { Layout } from './layout';
import { loadSession, SessionContext, type Session } from './session';
import './styles.css';

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadSession().then(setSession, (e: unknown) => setError(describeError(e)));
  }, []);
  if (error) return <p role="alert">The console could not reach the server: {error}</p>;
  if (!session) return <p aria-live="polite">Loading…</p>;
  return (
    <SessionContext.Provider value={session}>
      <Layout />
    </SessionContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
