import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverRoot } from './spawn.js';

const repositoryRoot = join(serverRoot, '..', '..');

/** Every npm package the server depends on, but commander: the CLI's client verbs need none of them. */
const SERVER_PACKAGES = Object.keys((JSON.parse(readFileSync(join(serverRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies).filter(
  (name) => name !== 'commander',
);

/**
 * The repository's own files a client verb may load: the CLI (but for the offline policy verbs'
 * engine file and `audit verify --archive`'s verifier), the defaults and the data directory's file names. Everything else in the
 * repository is server code: the contexts' folders, runtime, http, storage, the Rego engine
 * (here or as its own package).
 */
function isClientCode(path: string): boolean {
  const inServer = relative(serverRoot, path).split(sep);
  const [top, folder, file] = inServer;
  if (top === 'test') return true; // the module recorder itself
  if (top !== 'src' && top !== 'dist') return false;
  if (folder === 'cli') return !file?.startsWith('policy-offline.') && !file?.startsWith('audit-archive-verify.');
  if (folder === 'config') return /^(defaults|files)\.[jt]s$/.test(file ?? '');
  return false;
}

/** The package a file in node_modules belongs to (the outermost one), or null outside node_modules. */
function packageOf(path: string): string | null {
  const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(path);
  return match ? match[1]!.replace('\\', '/') : null;
}

/** The modules among `urls` that are server code: server dependencies and server source. */
export function serverCodeAmong(urls: string[]): string[] {
  return urls.filter((url) => {
    if (!url.startsWith('file:')) return false;
    const path = fileURLToPath(url);
    const pkg = packageOf(path);
    if (pkg !== null) return SERVER_PACKAGES.includes(pkg);
    if (relative(repositoryRoot, path).startsWith('..')) return false;
    return !isClientCode(path);
  });
}
