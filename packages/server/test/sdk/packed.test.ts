import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { registerAgent, startOAuthServer } from '../support/agents.js';

/**
 * Issue 10, item 13: the SDK outside this repository. `npm pack` of packages/sdk is installed
 * into an empty project in a temporary directory (offline, from npm's cache: `npm ci` with a
 * lockfile naming the tarball and jose's integrity), then that project imports it, gets a
 * token from a real Mandate server with AgentAuthService and verifies it with
 * createTokenVerifier, and its TypeScript types compile there.
 */
const execFileAsync = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const AUDIENCE = 'https://orders.example';

/**
 * The environment for npm without the `npm_*` variables of the npm that started the tests:
 * `npm_config_local_prefix` would point `npm ci` at this repository instead of the project.
 */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

/** The JSON `npm pack --json` printed. */
function packSdk(destination: string): { filename: string; files: Array<{ path: string }> } {
  // Packs the built dist/ (npm test builds first); --ignore-scripts: no rebuild while other suites run.
  const out = execFileSync(npm, ['pack', '-w', 'packages/sdk', '--ignore-scripts', '--pack-destination', destination, '--json'], { cwd: repoRoot, encoding: 'utf8', env: npmEnv() });
  return (JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!;
}

/**
 * An empty project with the tarball installed. `npm ci --offline` with a lockfile: the tarball
 * by its integrity, jose by the integrity this repository's lock gives (npm's cache has it
 * after any install). Where the cache lacks it, the packed files are copied into node_modules
 * instead (the same files, without npm's resolution), and the test says so.
 */
function installInto(project: string, tarball: string): 'npm ci --offline' | 'copied' {
  const spec = `file:${tarball}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const rootLock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const sdkManifest = JSON.parse(readFileSync(join(repoRoot, 'packages', 'sdk', 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'probe', private: true, type: 'module', dependencies: { '@mandate/sdk': spec } }, null, 2));
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify(
      {
        name: 'probe',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'probe', dependencies: { '@mandate/sdk': spec } },
          'node_modules/@mandate/sdk': { version: sdkManifest.version, resolved: spec, integrity, dependencies: sdkManifest.dependencies },
          'node_modules/jose': rootLock.packages['node_modules/jose'],
        },
      },
      null,
      2,
    ),
  );
  const ci = spawnSync(npm, ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', project], { cwd: project, encoding: 'utf8', env: npmEnv(), timeout: 120_000 });
  if (ci.status === 0) return 'npm ci --offline';
  if (!/ENOTCACHED/.test(ci.stderr)) throw new Error(`npm ci failed:\n${ci.stderr}`);
  console.info(`jose is not in npm's cache here (${ci.stderr.split('\n')[0]}); copying the packed files into node_modules instead`);
  const target = join(project, 'node_modules', '@mandate', 'sdk');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  cpSync(join(repoRoot, 'node_modules', 'jose'), join(project, 'node_modules', 'jose'), { recursive: true });
  return 'copied';
}

const PROBE = `
import { AgentAuthService, createTokenVerifier } from '@mandate/sdk';

const { ISSUER, CLIENT_ID, CLIENT_SECRET } = process.env;
const auth = new AgentAuthService({ issuer: ISSUER, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, resource: '${AUDIENCE}', scope: ['orders:read'] });
const token = await auth.getToken();
const verifier = createTokenVerifier({ issuer: ISSUER, audience: '${AUDIENCE}', revocation: false });
const verified = await verifier.verify(token);
await verifier.close();
console.log(JSON.stringify({ subject: verified.subject, clientId: verified.clientId, scopes: verified.scopes }));
`;

const TYPED = `
import { createTokenVerifier, type VerifiedAccessToken } from '@mandate/sdk';

const verifier = createTokenVerifier({ issuer: 'http://127.0.0.1:8700', audience: '${AUDIENCE}', revocation: false });
export async function subjectOf(token: string): Promise<string> {
  const verified: VerifiedAccessToken = await verifier.verify(token);
  return verified.subject;
}
`;

describe('the packed SDK in a project of its own', () => {
  let server: TestServer;
  let project: string;
  let tarball: string;
  let files: string[];
  let installedBy: string;

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'mandate-sdk-pack-'));
    const packed = packSdk(work);
    tarball = join(work, packed.filename);
    files = packed.files.map((f) => f.path);
    project = join(work, 'project');
    mkdirSync(project);
    installedBy = installInto(project, tarball);
    server = await startOAuthServer('sqlite');
  });
  afterAll(async () => server?.stop());

  it('packs the built code, its types and README, and nothing of the sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.filter((f) => !/^(dist\/.+\.(js|d\.ts)|package\.json|README\.md)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.includes('.test.'))).toEqual([]);
  });

  it('installs into an empty project, outside this repository', () => {
    expect(['npm ci --offline', 'copied']).toContain(installedBy);
    const installed = realpathSync(join(project, 'node_modules', '@mandate', 'sdk'));
    expect(installed.startsWith(realpathSync(project))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', 'jose', 'package.json'))).toBe(true);
  });

  it('gets a token from a real server and verifies it there', async () => {
    const created = await server.api('POST', '/v1/resource-servers', { audience: AUDIENCE, scopes: ['orders:read'], name: 'Orders API' });
    expect(created.status).toBe(201);
    const agent = await registerAgent(server, { scopes: ['orders:read'] });
    writeFileSync(join(project, 'probe.mjs'), PROBE);
    // Asynchronously: the server answering the probe runs in this process.
    const run = await execFileAsync(process.execPath, ['probe.mjs'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, ISSUER: server.url, CLIENT_ID: agent.clientId, CLIENT_SECRET: agent.clientSecret, NODE_PATH: '' },
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ subject: agent.id, clientId: agent.clientId, scopes: ['orders:read'] });
  });

  it('type-checks a TypeScript consumer against the shipped declarations', () => {
    writeFileSync(join(project, 'typed.ts'), TYPED);
    const compilerOptions = { noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023', 'dom'], types: [] };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['typed.ts'] }));
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
