import { defineConfig } from 'vite';

/**
 * The console is built to static files (dist/) that the server serves at /console.
 * No plugin: Vite transforms TSX itself (React's automatic runtime, tsconfig `jsx: react-jsx`).
 * The server's Content-Security-Policy allows no inline script, style or data: URL, so
 * nothing is inlined into index.html and no asset becomes a data: URL.
 */
export default defineConfig({
  base: '/console/',
  root: import.meta.dirname,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
