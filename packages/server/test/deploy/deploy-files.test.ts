import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULTS } from '../../src/config/defaults.js';
import { CONFIG_FILE_VARIABLE, ENVIRONMENT, loadConfig } from '../../src/config/load.js';
import { freePort } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';

/*
 * deploy/ without Docker (this machine has none, so no image is built or run here): every file
 * is parsed and held to what the server really does. The variables the files set are the ones
 * config/load.ts reads; the probes answer 200 on a real server; the ports are the config
 * default; the Dockerfile's runtime stage runs as a non-root user, copies only paths that exist
 * here (after `npm run build`), ships the default policy bundle where the server looks for it,
 * and its ENTRYPOINT/CMD, run from this checkout with the image's environment, starts a server
 * that its own HEALTHCHECK command finds healthy.
 */

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const deploy = join(repo, 'deploy');

/** Every variable the server reads from its environment, from the config module itself. */
const SERVER_VARIABLES = new Set([...ENVIRONMENT.map(([name]) => name), CONFIG_FILE_VARIABLE]);
/** Set for Node itself, not for Mandate. */
const NODE_VARIABLES = new Set(['NODE_ENV']);

type Doc = Record<string, any>;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

function parseYaml(path: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const doc of docs) expect(doc.errors, `${relative(repo, path)}: ${doc.errors.join('; ')}`).toEqual([]);
  return docs.map((doc) => doc.toJS() as Doc).filter((doc) => doc !== null);
}

const manifests = (): Doc[] => yamlFiles(join(deploy, 'kubernetes')).flatMap(parseYaml);
const ofKind = (kind: string): Doc => {
  const found = manifests().filter((m) => m.kind === kind);
  expect(found, `one ${kind} in deploy/kubernetes`).toHaveLength(1);
  return found[0]!;
};
const compose = (): Doc => parseYaml(join(deploy, 'docker-compose.yml'))[0]!;

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages: continuation lines joined, comments dropped. */
function dockerfileStages(): Stage[] {
  const text = readFileSync(join(deploy, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, op, args] = match as unknown as [string, string, string];
    if (op === 'FROM') stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1] ?? String(stages.length), instructions: [] });
    stages.at(-1)!.instructions.push({ op, args: args.trim() });
  }
  return stages;
}

const runtimeStage = (): Stage => dockerfileStages().at(-1)!;
const all = (stage: Stage, op: string): string[] => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

/** `ENV A=1 B=2` → {A: '1', B: '2'}. */
function dockerEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of all(stage, 'ENV')) {
    for (const [, name, value] of args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) env[name!] = value!.replace(/^"|"$/g, '');
  }
  return env;
}

/** COPY [--from=x] src... dest → {from, sources, dest}. */
function copies(stage: Stage): Array<{ from: string | null; sources: string[]; dest: string }> {
  return all(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    const from = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : null;
    const dest = words.pop()!;
    return { from, sources: words, dest };
  });
}

const jsonForm = (args: string): string[] => JSON.parse(args) as string[];

/** The container of the Deployment. */
const container = (): Doc => ofKind('Deployment').spec.template.spec.containers[0];

describe('deploy/: every file parses', () => {
  it('the YAML files are valid, and the manifests hold a Deployment, Service, ConfigMap and Secret', () => {
    const files = yamlFiles(deploy);
    expect(files.map((f) => relative(deploy, f)).sort()).toEqual(expect.arrayContaining(['docker-compose.yml', 'kubernetes/deployment.yaml']));
    for (const file of files) parseYaml(file);
    const kinds = manifests().map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Service', 'ConfigMap', 'Secret']));
    for (const m of manifests().filter((doc) => doc.kind !== 'Kustomization')) expect(m.apiVersion, `${m.kind} apiVersion`).toMatch(/^(v1|apps\/v1)$/);
    const kustomization = ofKind('Kustomization');
    const listed = new Set((kustomization.resources as string[]).map((r) => join(deploy, 'kubernetes', r)));
    expect([...listed].every((path) => existsSync(path))).toBe(true);
    expect(yamlFiles(join(deploy, 'kubernetes')).filter((f) => !f.endsWith('kustomization.yaml') && !listed.has(f))).toEqual([]);
  });
});

describe('deploy/: the settings are ones the server reads', () => {
  it('every variable set by the Dockerfile, compose and the manifests is read by config/load.ts', () => {
    const set: Array<[string, string]> = [
      ...Object.keys(dockerEnv(runtimeStage())).map((name) => ['Dockerfile', name] as [string, string]),
      ...Object.keys(compose().services.mandate.environment).map((name) => ['docker-compose.yml', name] as [string, string]),
      ...Object.keys(ofKind('ConfigMap').data).map((name) => ['configmap.yaml', name] as [string, string]),
      ...(container().env as Doc[]).map((e) => ['deployment.yaml', e.name as string] as [string, string]),
    ];
    const unknown = set.filter(([, name]) => !SERVER_VARIABLES.has(name) && !NODE_VARIABLES.has(name));
    expect(unknown).toEqual([]);
    expect(set.length).toBeGreaterThan(10);
  });

  it('the settings load: the ConfigMap and compose environments are a valid configuration', () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'mandate-deploy-')), 'master-key');
    writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const url = { MANDATE_DATABASE_URL: 'postgres://mandate:pw@postgres:5432/mandate' };
    const fromConfigMap = loadConfig({ env: { ...ofKind('ConfigMap').data, ...url, MANDATE_MASTER_KEY_FILE: keyFile } });
    expect(fromConfigMap.host).toBe('0.0.0.0');
    expect(fromConfigMap.masterKey).toBeDefined();
    const composeEnv = Object.fromEntries(
      Object.entries(compose().services.mandate.environment as Record<string, string>).map(([name, value]) => [name, String(value).replace(/\$\{([A-Z_]+)(:[-?][^}]*)?\}/g, (_m, v: string, d?: string) => (d?.startsWith(':-') ? d.slice(2) : v.toLowerCase()))]),
    );
    const fromCompose = loadConfig({ env: { ...composeEnv, MANDATE_MASTER_KEY_FILE: keyFile } });
    expect(fromCompose.databaseUrl).toMatch(/^postgres:\/\/mandate:postgres_password@postgres:5432\/mandate$/);
  });

  it('ports agree with the config default everywhere', () => {
    const port = String(DEFAULTS.port);
    expect(dockerEnv(runtimeStage()).MANDATE_PORT).toBe(port);
    expect(all(runtimeStage(), 'EXPOSE')).toEqual([port]);
    expect(String(compose().services.mandate.environment.MANDATE_PORT)).toBe(port);
    for (const mapping of compose().services.mandate.ports as string[]) expect(mapping.split(':').at(-1)).toBe(port);
    expect(ofKind('ConfigMap').data.MANDATE_PORT).toBe(port);
    const http = (container().ports as Doc[]).find((p) => p.name === 'http')!;
    expect(String(http.containerPort)).toBe(port);
    expect(ofKind('Service').spec.ports[0].targetPort).toBe('http');
    expect(ofKind('Service').spec.selector).toEqual(ofKind('Deployment').spec.template.metadata.labels);
  });
});

describe('deploy/: probes and health', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('Kubernetes probes readiness on /readyz and liveness on /healthz, and both answer 200 on a real server', async () => {
    const c = container();
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      expect(probe.httpGet.port).toBe('http');
      expect((await fetch(`${server.url}${probe.httpGet.path}`)).status).toBe(200);
    }
  });

  it("the Dockerfile's HEALTHCHECK probes /healthz, a path that answers 200", async () => {
    const [healthcheck] = all(runtimeStage(), 'HEALTHCHECK');
    const path = /\/(healthz|readyz)\b/.exec(healthcheck!)?.[0];
    expect(path).toBe('/healthz');
    expect((await fetch(`${server.url}${path}`)).status).toBe(200);
  });
});

describe('deploy/Dockerfile', () => {
  it('builds in one stage and runs in another, as a non-root user, with the data dir a volume and no secret baked in', () => {
    const stages = dockerfileStages();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(all(stages[0]!, 'RUN').join(' ')).toMatch(/npm ci.*npm run build/);
    const runtime = runtimeStage();
    const users = all(runtime, 'USER');
    expect(users).toHaveLength(1);
    const [user] = users[0]!.split(':');
    expect(user).not.toMatch(/^(root|0)$/);
    expect(Number(user)).toBeGreaterThan(0);
    // Kubernetes runs the same uid the image declares.
    expect(ofKind('Deployment').spec.template.spec.securityContext.runAsUser).toBe(Number(user));
    const env = dockerEnv(runtime);
    expect(env.MANDATE_HOST).toBe('0.0.0.0');
    expect(all(runtime, 'VOLUME').join(' ')).toContain(env.MANDATE_DATA_DIR!);
    const everything = runtime.instructions.map((i) => `${i.op} ${i.args}`).join('\n');
    expect(everything).not.toMatch(/MANDATE_MASTER_KEY=|MANDATE_DATABASE_URL=|admin-token|master-key|\bARG\b/);
  });

  it('copies only paths that exist in this checkout (after npm run build), the workspace packages the server needs, and the default policy bundle', () => {
    const stages = dockerfileStages();
    const byName = new Set(stages.map((s) => s.name));
    for (const stage of stages) {
      for (const copy of copies(stage)) {
        if (copy.from) expect(byName.has(copy.from), `COPY --from=${copy.from}`).toBe(true);
        for (const source of copy.sources) {
          // From the build stage, /app is the repository (WORKDIR /app, COPY packages ./packages).
          const path = copy.from ? relative('/app', source) : source;
          expect(path.startsWith('..'), source).toBe(false);
          expect(existsSync(join(repo, path)), `${stage.name}: COPY ${source}`).toBe(true);
        }
      }
    }
    const dests = copies(runtimeStage()).map((c) => c.dest.replace(/^\.\//, ''));
    const manifest = JSON.parse(readFileSync(join(repo, 'packages', 'server', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies).filter((d) => d.startsWith('@mandate/'))) {
      const folder = name.slice('@mandate/'.length);
      expect(dests).toEqual(expect.arrayContaining([`packages/${folder}/package.json`, `packages/${folder}/dist`]));
    }
    // default-bundle.ts looks beside its compiled module first.
    expect(dests).toContain('packages/server/dist/policy/default-bundle');
    expect(existsSync(join(repo, 'packages', 'server', 'src', 'policy', 'default-bundle'))).toBe(true);
  });

  it('.dockerignore keeps local installs, builds, data and history out of the build context, and nothing the build copies', () => {
    const ignored = readFileSync(join(repo, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', '**/dist', '.mandate']));
    const copied = copies(dockerfileStages()[0]!).filter((c) => !c.from).flatMap((c) => c.sources);
    for (const source of copied) expect(ignored, source).not.toContain(source);
  });

  it('its ENTRYPOINT and CMD run the built CLI: started with the image environment and the key in a file, the server passes its own HEALTHCHECK', async () => {
    const runtime = runtimeStage();
    const command = [...jsonForm(all(runtime, 'ENTRYPOINT')[0]!), ...jsonForm(all(runtime, 'CMD')[0]!)];
    expect(command.slice(0, 2)).toEqual(['node', 'packages/server/dist/cli/main.js']);
    expect(command[2]).toBe('server');
    const workdir = all(runtime, 'WORKDIR').at(-1)!;
    expect(workdir).toBe('/app');
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'mandate-deploy-'));
    // The key as the deployments hand it over: a file outside the data dir.
    const keyFile = join(mkdtempSync(join(tmpdir(), 'mandate-deploy-key-')), 'master-key');
    writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    // The image's environment, but loopback, a free port and a temp data dir on this machine.
    const env = { ...process.env, ...dockerEnv(runtime), MANDATE_HOST: '127.0.0.1', MANDATE_PORT: String(port), MANDATE_DATA_DIR: dataDir, MANDATE_DATABASE_URL: '', MANDATE_MASTER_KEY: '', MANDATE_MASTER_KEY_FILE: keyFile, MANDATE_LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, command.slice(1), { cwd: repo, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const healthcheck = jsonForm(/CMD\s+(\[.*\])\s*$/.exec(all(runtime, 'HEALTHCHECK')[0]!)![1]!);
    expect(healthcheck[0]).toBe('node');
    const probe = () => spawnSync(process.execPath, healthcheck.slice(1), { env, timeout: 10_000 }).status;
    try {
      let healthy = false;
      for (let attempt = 0; attempt < 300 && !healthy; attempt += 1) {
        if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
        healthy = probe() === 0;
        if (!healthy) await new Promise((r) => setTimeout(r, 200));
      }
      expect(healthy, stderr).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done)));
    }
    // And the same check fails once nothing answers: it is a check that can fail.
    expect(probe()).toBe(1);
    // The key came from the file: none was generated beside the data.
    expect(existsSync(join(dataDir, 'master-key'))).toBe(false);
    expect(existsSync(join(dataDir, 'mandate.db'))).toBe(true);
  }, 120_000);
});

describe('deploy/: the master key is a file, never an environment value', () => {
  it('Kubernetes mounts the Secret as a file at the path MANDATE_MASTER_KEY_FILE names, read-only', () => {
    const secret = ofKind('Secret');
    const pod = ofKind('Deployment').spec.template.spec;
    const volume = (pod.volumes as Doc[]).find((v) => v.secret?.secretName === secret.metadata.name)!;
    expect(volume, 'a volume from the Secret').toBeDefined();
    const item = (volume.secret.items as Doc[]).find((i) => i.key === 'master-key')!;
    expect(Object.keys(secret.stringData ?? secret.data)).toContain(item.key);
    const mount = (container().volumeMounts as Doc[]).find((m) => m.name === volume.name)!;
    expect(mount.readOnly).toBe(true);
    expect(`${mount.mountPath}/${item.path}`).toBe(ofKind('ConfigMap').data.MANDATE_MASTER_KEY_FILE);
    // Readable by the owner and the pod's group only.
    expect(volume.secret.defaultMode & 0o077 & ~0o040).toBe(0);
    const envNames = (container().env as Doc[]).map((e) => e.name);
    expect([...envNames, ...Object.keys(ofKind('ConfigMap').data)]).not.toContain('MANDATE_MASTER_KEY');
  });

  it('compose hands the key over as a Docker secret file', () => {
    const service = compose().services.mandate;
    const [secretName] = service.secrets as string[];
    expect(service.environment.MANDATE_MASTER_KEY_FILE).toBe(`/run/secrets/${secretName}`);
    expect(compose().secrets[secretName!].file).toBeDefined();
    expect(Object.keys(service.environment)).not.toContain('MANDATE_MASTER_KEY');
  });
});

describe('deploy/: replicas on PostgreSQL, locked down', () => {
  it('compose runs three replicas of the image on PostgreSQL, after it is healthy', () => {
    const { services } = compose();
    expect(services.postgres.image).toMatch(/^postgres:/);
    expect(services.mandate.deploy.replicas).toBe(3);
    expect(services.mandate.depends_on.postgres.condition).toBe('service_healthy');
    expect(services.mandate.environment.MANDATE_DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(services.mandate.build.dockerfile).toBe('deploy/Dockerfile');
    expect(services.mandate.read_only).toBe(true);
  });

  it('the Deployment runs non-root on a read-only root filesystem, with requests and limits, and never loses a replica to an update', () => {
    const deployment = ofKind('Deployment');
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(3);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const c = container();
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    for (const kind of ['requests', 'limits']) expect(Object.keys(c.resources[kind]).sort()).toEqual(['cpu', 'memory']);
    // The data dir and /tmp are writable volumes on the read-only root filesystem.
    const mounts = (c.volumeMounts as Doc[]).map((m) => m.mountPath);
    expect(mounts).toEqual(expect.arrayContaining([ofKind('ConfigMap').data.MANDATE_DATA_DIR, '/tmp']));
    // Longer than the server's own shutdown grace.
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(DEFAULTS.shutdownGraceMs);
  });
});
