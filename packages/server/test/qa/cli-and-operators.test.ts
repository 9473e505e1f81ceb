import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runMandate, startCliServer } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

/** Any C0/C1 control character other than the newline that ends a line of output. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('QA: the CLI prints what others typed without handing them the terminal', () => {
  let server: TestServer;
  let global: string[];
  beforeAll(async () => ({ server, global } = await startCliServer()));
  afterAll(async () => server?.stop());

  it('escapes control characters (ANSI escapes, carriage returns) in tables, records and errors', async () => {
    // The API refuses control characters in agent text now (registry-text.test.ts), but rows
    // written before that, and text other contexts record, reach the CLI all the same.
    const hostile = 'evil\u001b[2J\u001b]0;pwned\u0007\rname';
    const created = await server.api('POST', '/v1/agents', {
      name: 'plain',
      purpose: 'p',
      owner: 'owner@example.com',
      scopes: [],
      tools: [],
      data_classification: 'public',
      environment: 'test',
    });
    expect(created.status).toBe(201);
    const id = created.body.agent.id as string;
    await server.runtime.store.db
      .updateTable('agents')
      .set({ name: hostile, purpose: 'p\u009b31m', metadata: JSON.stringify({ note: 'x\u001b[1m' }) })
      .where('id', '=', id)
      .execute();

    const list = await runMandate([...global, 'agent', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('evil');
    expect(list.stdout).not.toMatch(CONTROL);

    const show = await runMandate([...global, 'agent', 'show', id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('\\u001b[2J');
    expect(show.stdout).not.toMatch(CONTROL);

    const query = await runMandate([...global, 'audit', 'query', '--type', 'agent.registered']);
    expect(query.code).toBe(0);
    expect(query.stdout).not.toMatch(CONTROL);
    // An audit subject can be anything another context recorded (here: an id asked for in a token request).
    await server.runtime.audit.append({ type: 'qa.event', actor: { kind: 'anonymous', id: 'a\u001b[2Jb' }, subject: 's\u001b[2J', action: 'probe', outcome: 'failure' });
    const tail = await runMandate([...global, 'audit', 'tail', '-n', '1']);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toContain('qa.event');
    expect(tail.stdout).not.toMatch(CONTROL);

    // The server's error message echoes the id asked for.
    const missing = await runMandate([...global, 'operator', 'show', 'x\u001b[2Jy']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
    expect(missing.stderr).not.toMatch(CONTROL);

    // --json output stays exact JSON (escaped by JSON itself).
    const json = await runMandate([...global, '--json', 'agent', 'show', id]);
    expect(JSON.parse(json.stdout).name).toBe(hostile);
  });
});

describe.each(storeKinds())('QA: operators on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ kind });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('gives two operators with the same email local part distinct generated ids', async () => {
    const first = await server.api('POST', '/v1/operators', { email: 'sam@example.com', roles: ['auditor'] });
    expect(first.status).toBe(201);
    expect(first.body.operator.id).toBe('op-sam');
    const second = await server.api('POST', '/v1/operators', { email: 'sam@other.example.org', roles: ['approver'] });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.operator.id).not.toBe('op-sam');
    expect(second.body.operator.id).toMatch(/^op-sam-\d+$/);
    // The same email again is still a conflict, and writes nothing.
    const before = (await server.api('GET', '/v1/audit/verify')).body.head.seq;
    const again = await server.api('POST', '/v1/operators', { email: 'SAM@example.com', roles: ['auditor'] });
    expect(again.status).toBe(409);
    expect((await server.api('GET', '/v1/audit/verify')).body.head.seq).toBe(before);
    // An explicit id that exists is a conflict too.
    const taken = await server.api('POST', '/v1/operators', { email: 'sam3@example.com', roles: ['auditor'], id: 'op-sam' });
    expect(taken.status).toBe(409);
  });
});

describe('QA: configuration errors read well', () => {
  it('prints the multi-line configuration error as lines, naming each bad key and what is allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-qa-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ bogus: 1, logLevel: 'loud' }));
    const result = await runMandate(['--data-dir', dir, 'server', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: invalid configuration:\n  ');
    expect(result.stderr).toMatch(/\n {2}bogus: /);
    expect(result.stderr).toMatch(/\n {2}logLevel: must be one of: fatal, error, warn, info, debug, trace, silent \(got "loud"\)/);
  });
});

describe('QA: configuration errors do not print secrets', () => {
  it('names a bad database URL without echoing it', () => {
    const attempt = (env: Record<string, string>) => {
      try {
        loadConfig({ env });
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected the configuration to be refused');
    };
    const url = attempt({ MANDATE_DATABASE_URL: 'mysql://root:hunter2-secret@db/x' });
    expect(url).toMatch(/databaseUrl/);
    expect(url).not.toContain('hunter2-secret');
    // Other keys still show what was given, which is what makes the message useful.
    const port = attempt({ MANDATE_PORT: '70000' });
    expect(port).toMatch(/port: .*\(got 70000\)/);
  });
});
