import { readFileSync } from 'node:fs';

/**
 * The version of @mandate/server, from its package.json: two folders up from this file both in
 * src/cli and in dist/cli. Read as a file rather than imported from server code, so
 * `mandate --version` loads nothing of the server.
 */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
