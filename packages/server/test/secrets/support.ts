import { basic, postForm, registerAgent, type RegisteredAgent } from '../support/agents.js';
import { queryOnce } from '../support/pg.js';
import type { TestServer } from '../support/server.js';

/** An agent allowed by the default policy to read secrets and database credentials (tools `secrets`, `db`). */
export const SECRETS_AGENT = {
  name: 'secrets-agent',
  purpose: 'reads what it needs',
  owner: 'alice@example.com',
  scopes: ['secret:read', 'database:read'],
  tools: ['secrets', 'db'],
  data_classification: 'restricted',
  environment: 'production',
};

/** Registers an agent (SECRETS_AGENT with overrides) and gets it an access token by client credentials. */
export async function agentWithToken(server: TestServer, overrides: Record<string, unknown> = {}): Promise<RegisteredAgent & { token: string }> {
  const agent = await registerAgent(server, overrides, SECRETS_AGENT);
  const scopes = (overrides.scopes as string[] | undefined) ?? SECRETS_AGENT.scopes;
  const { status, body } = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials', scope: scopes.join(' ') }, { authorization: basic(agent.clientId, agent.clientSecret) });
  if (status !== 200) throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`);
  return { ...agent, token: body.access_token as string };
}

/** Audit entries of some types, oldest first (details parsed). */
export async function auditOf(server: TestServer, types: string[]): Promise<Array<{ type: string; subject: string | null; agent_id: string | null; details: Record<string, unknown> }>> {
  const rows = await server.runtime.store.db.selectFrom('audit_entries').select(['type', 'subject', 'agent_id', 'details']).where('type', 'in', types).orderBy('seq').execute();
  return rows.map((row: { type: string; subject: string | null; agent_id: string | null; details: string }) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}

/**
 * A TCP relay in front of the test PostgreSQL: `down()` closes the port and cuts every
 * connection (to Mandate the database is down: connections are refused), `up()` listens again on
 * the same port. The PostgreSQL behind it is real; only the network path is cut.
 */
export class DatabaseRelay {
  private server: import('node:net').Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {}

  async up(): Promise<void> {
    const { createServer, connect } = await import('node:net');
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : this.port;
    this.server = server;
  }

  async down(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A target database on the test PostgreSQL with its own superuser root (so rotating it touches nothing else) and a table. */
export async function targetDatabase(serverUrl: string): Promise<{ database: string; rootUser: string; rootPassword: string; port: number; superuser: (sql: string, values?: unknown[]) => Promise<any[]> }> {
  const { randomBytes } = await import('node:crypto');
  const id = randomBytes(5).toString('hex');
  const database = `target_${id}`;
  const rootUser = `root_${id}`;
  const rootPassword = randomBytes(12).toString('hex');
  const base = new URL(serverUrl);
  const run = (db: string, sql: string, values: unknown[] = []) => queryOnce(`${serverUrl}/${db}`, sql, values);
  await run('postgres', `CREATE DATABASE ${database}`);
  await run('postgres', `CREATE ROLE ${rootUser} WITH LOGIN SUPERUSER PASSWORD '${rootPassword}'`);
  await run(database, `CREATE TABLE items (id int primary key, name text)`);
  await run(database, `INSERT INTO items VALUES (1, 'one')`);
  return { database, rootUser, rootPassword, port: Number(base.port), superuser: (sql, values) => run(database, sql, values) };
}

/** Tries to log in as `user` and run `sql`; returns the rows or the error's SQLSTATE/message. */
export async function asUser(port: number, database: string, user: string, password: string, sql: string): Promise<{ rows?: any[]; error?: string; code?: string }> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ host: '127.0.0.1', port, database, user, password });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    return { error: (error as Error).message, code: (error as { code?: string }).code ?? 'connect' };
  }
  try {
    return { rows: (await client.query(sql)).rows };
  } catch (error) {
    return { error: (error as Error).message, code: (error as { code?: string }).code };
  } finally {
    await client.end().catch(() => {});
  }
}

export const READER_ROLE = {
  creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`, `GRANT SELECT ON items TO "{{name}}"`],
};
