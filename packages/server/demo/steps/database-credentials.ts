/**
 * Seed, "Tier 3": database credentials issued for 60 seconds that revoke themselves — zero
 * persistent database passwords. The calendar's database is an embedded PostgreSQL started for
 * this step (demo/database.ts); the admin gives Mandate its root login and a `reader` role; the
 * assistant asks for credentials, logs in and reads (and cannot write). Its 60-second login stays
 * live for the decommission step; a 3-second one shows expiry without waiting a minute: at expiry
 * Mandate's lease sweep drops the role, and logging in is refused. Needs the secrets context
 * (issue 14): skipped until `POST /v1/db/{name}/creds/{role}` has a route.
 */
import { MandateClient } from '@mandate/sdk';
import { CAPABILITIES } from '../capabilities.js';
import { need, OWNER, type DemoStep } from '../context.js';
import { DATABASE, loginAndQuery, startDemoDatabase, type DemoDatabase } from '../database.js';
import { failed, ok, skipped } from '../narrative.js';

/** The role Mandate creates per request: read-only on the events table, expiring with the lease in PostgreSQL too. */
const READER_ROLE = {
  creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`, `GRANT SELECT ON events TO "{{name}}"`],
  default_ttl: 60,
  max_ttl: 300,
  classification: 'internal',
};
/** A lease short enough to watch expire: the demo waits for it instead of the 60 s one. */
const SHORT_TTL_SECONDS = 3;
/** Expiry plus the lease sweep's interval (1 s by default), with margin. */
const EXPIRY_WAIT_MS = (SHORT_TTL_SECONDS + 10) * 1000;
const POLL_MS = 250;

export const databaseCredentialsStep: DemoStep = {
  id: 'database-credentials',
  title: 'It gets 60-second database credentials, which revoke themselves',
  async run(ctx) {
    if (!(await CAPABILITIES.databaseCredentials.offered(ctx))) return skipped(CAPABILITIES.databaseCredentials.name);
    const agent = need(ctx.agent, 'the registered agent');
    const { mandate, narrator } = ctx;

    const db = await startDemoDatabase();
    ctx.cleanups.push(() => db.stop());
    narrator.say(`the calendar's database: an embedded PostgreSQL at 127.0.0.1:${db.port}/${DATABASE}, table events`);
    const configured = await mandate.api('PUT', `/v1/db/${DATABASE}`, { url: db.rootUrl });
    const role = await mandate.api('PUT', `/v1/db/${DATABASE}/roles/reader`, READER_ROLE);
    if (configured.status !== 200 || role.status !== 200) return failed(`configuring the database answered ${configured.status}/${role.status}: ${JSON.stringify([configured.body, role.body])}`);
    narrator.say(`the admin gives Mandate the root login (PUT /v1/db/${DATABASE}: stored sealed, never shown again) and a role "reader": SELECT on events, ${READER_ROLE.default_ttl} s`);

    const client = new MandateClient({ baseUrl: mandate.url, credentials: agent.auth });
    const creds = await client.db.credentials(DATABASE, 'reader');
    narrator.say(`POST /v1/db/${DATABASE}/creds/reader (the assistant's token; policy allows tool db) → user ${creds.username}, a fresh password, lease ${creds.leaseId}, ttl ${creds.ttl} s`);
    if (creds.ttl !== READER_ROLE.default_ttl) return failed(`the credentials live ${creds.ttl} s, not ${READER_ROLE.default_ttl}`);
    const read = await loginAndQuery(db.port, creds.username, creds.password, `SELECT title FROM events WHERE calendar = '${OWNER}'`);
    if (!read.ok) return failed(`logging in with the issued credentials failed: ${read.message}`);
    narrator.say(`it logs in and reads: ${read.rows.map((row) => `"${String(row.title)}"`).join(', ')}`);
    const write = await loginAndQuery(db.port, creds.username, creds.password, 'DELETE FROM events');
    if (write.ok) return failed('the read-only credentials could delete');
    narrator.say(`DELETE FROM events → refused (${write.code} ${write.message}): the role grants SELECT only`);
    ctx.database = { db, held: { leaseId: creds.leaseId, username: creds.username, password: creds.password } };

    const brief = await client.db.credentials(DATABASE, 'reader', { ttl: SHORT_TTL_SECONDS });
    const before = await loginAndQuery(db.port, brief.username, brief.password, 'SELECT 1');
    narrator.say(`to watch one expire without waiting a minute: a ${SHORT_TTL_SECONDS}-second lease, ${brief.username} (login ${before.ok ? 'ok' : 'refused'})`);
    if (!before.ok) return failed(`the short-lived credentials did not log in: ${before.message}`);
    const goneAfter = await roleDropped(db, brief.username);
    if (goneAfter === undefined) return failed(`role ${brief.username} still exists ${EXPIRY_WAIT_MS} ms after its lease expired`);
    const after = await loginAndQuery(db.port, brief.username, brief.password, 'SELECT 1');
    if (after.ok) return failed('the expired credentials still log in');
    const leases = await mandate.api('GET', `/v1/leases?status=revoked&agent_id=${agent.id}`);
    const lease = (leases.body.items as { lease_id: string; revoke_reason: string }[]).find((item) => item.lease_id === brief.leaseId);
    narrator.say(`at expiry (${(goneAfter / 1000).toFixed(1)} s on): role ${brief.username} is gone from pg_roles, lease ${brief.leaseId} ${lease ? `revoked (${lease.revoke_reason})` : 'not listed as revoked'}`);
    narrator.say(`logging in again → refused (${after.code} ${after.message})`);
    if (lease?.revoke_reason !== 'expired') return failed(`lease ${brief.leaseId} is not revoked as expired: ${JSON.stringify(lease)}`);
    return ok(`${creds.ttl}-second read-only credentials issued and used; a ${SHORT_TTL_SECONDS}-second lease revoked itself at expiry (role dropped, login refused)`);
  },
};

/** Milliseconds until the role is gone from pg_roles, or undefined if it is not gone in time. */
async function roleDropped(db: DemoDatabase, role: string): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < EXPIRY_WAIT_MS) {
    if ((await db.inspect('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).length === 0) return Math.round(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return undefined;
}
