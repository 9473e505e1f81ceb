import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

/**
 * Issue 10, item 17: `npm install` on Node.js 20 warns that cookie@2 (through Fastify's
 * light-my-request) wants Node.js 22. The README states the supported versions and that one
 * warning; this holds it true: the running Node.js is one the README supports, the only
 * dependency asking for more than the lowest supported version is the one the README names,
 * and that dependency works on the running Node.js.
 */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const section = /## Node\.js versions\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';

/** The lowest major version a `>=N`-style engines range allows (null when it names none). */
function lowestMajor(range: string): number | null {
  const majors = [...range.matchAll(/(\d+)(?:\.\d+){0,2}/g)].map((m) => Number(m[1]));
  return majors.length === 0 ? null : Math.min(...majors);
}

describe('supported Node.js versions', () => {
  const supported = (/Supported: Node\.js ([\d, and]+)/.exec(section)?.[1] ?? '').match(/\d+/g)?.map(Number) ?? [];

  it('the README names them, the lowest matches engines, and this Node.js is one of them', () => {
    expect(supported).toEqual([20, 22, 24]);
    const engines = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${supported[0]}`);
    expect(supported).toContain(Number(process.versions.node.split('.')[0]));
  });

  it('only the dependency the README names asks for more than the lowest supported version', () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };
    const stricter = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && !Array.isArray(entry.engines) && entry.engines?.node !== undefined)
      .filter(([, entry]) => (lowestMajor((entry.engines as { node: string }).node) ?? 0) > supported[0]!)
      .map(([path, entry]) => `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${entry.version}`);
    expect(stricter).toEqual(['cookie@2.0.2']);
    expect(section).toContain('`cookie@2`');
  });

  it('that dependency works on this Node.js: inject() sets cookies through it', async () => {
    const app = Fastify();
    app.get('/', async (request) => ({ cookie: request.headers.cookie ?? null }));
    const res = await app.inject({ method: 'GET', url: '/', cookies: { session: 'a b', theme: 'dark' } });
    expect(res.json()).toEqual({ cookie: 'session=a%20b; theme=dark' });
    await app.close();
  });
});
