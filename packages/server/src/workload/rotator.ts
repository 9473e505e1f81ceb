import type { Actor, AuditEvent, AuditLog } from '../audit/index.js';
import type { Envelope } from '../crypto/index.js';
import { isoTime } from '../shared/clock.js';
import type { Tx } from '../storage/index.js';
import { mintAuthority } from './ca/authority.js';
import { mayLeaveBundle, rotationStep } from './ca/slot.js';
import type { UpstreamCa } from './ca/upstream.js';
import { deleteAuthority, insertAuthority, lastExpiryBy, listAuthorities, updateAuthority } from './store.js';
import type { AuthorityRow } from './tables.js';

export interface RotatorOptions {
  audit: AuditLog;
  envelope: Envelope;
  trustDomain: string;
  caTtlSeconds: number;
  upstream: UpstreamCa | null;
}

const SYSTEM: Actor = { kind: 'system', id: 'workload.ca-rotation' };

const caEvent = (action: string, row: AuthorityRow, actor: Actor, details: Record<string, unknown> = {}): AuditEvent => ({
  type: `ca.${action}`,
  actor,
  subject: row.id,
  action,
  outcome: 'success',
  details: { not_before: row.not_before, not_after: row.not_after, ...details },
});

/**
 * The CA's slots over time (SPIRE's rotator): prepares the next CA at half-life, activates it
 * at five sixths, retires the old one, and drops a retired CA from the bundle once the last
 * certificate it signed has expired. Each run is one transaction with its audit entries; the
 * decision is slot.ts's pure function. `rotateNow` (`mandate ca rotate`) prepares if needed and
 * activates at once: the old CA stays published, so the certificates it signed keep working.
 */
export class CaRotator {
  constructor(private readonly options: RotatorOptions) {}

  /** Runs one maintenance step; returns whether the set of CAs changed. */
  async maintain(now: number, rotateNow = false, actor: Actor = SYSTEM): Promise<boolean> {
    return this.options.audit.withEntry(async (trx) => {
      const events = await this.step(trx, now, rotateNow, actor);
      return { result: events.length > 0, events };
    });
  }

  private async step(trx: Tx, now: number, rotateNow: boolean, actor: Actor): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    const rows = await listAuthorities(trx);
    for (const row of rows) {
      if (row.state === 'retired' && mayLeaveBundle(row.remove_at === null ? null : Date.parse(row.remove_at), now)) {
        // Certificates may have been signed with it after it retired: by this replica between
        // its signature and the insert, or by another replica before it reloaded the CAs. The
        // CA stays published until the last of them has expired too.
        const last = await lastExpiryBy(trx, row.id);
        if (last !== null && Date.parse(last) > now) {
          await updateAuthority(trx, row.id, { remove_at: last });
          events.push(caEvent('removal_postponed', row, actor, { remove_at: last }));
          continue;
        }
        await deleteAuthority(trx, row.id);
        events.push(caEvent('removed', row, actor));
      }
    }
    const active = rows.find((r) => r.state === 'active') ?? null;
    let prepared = rows.find((r) => r.state === 'prepared') ?? null;
    const window = active && { notBefore: Date.parse(active.not_before), notAfter: Date.parse(active.not_after) };
    let step = rotationStep(window, prepared !== null, now);
    if (rotateNow) step = 'activate';
    if (step === 'keep') return events;
    if (!prepared) {
      prepared = await mintAuthority({ trustDomain: this.options.trustDomain, ttlSeconds: this.options.caTtlSeconds, now, upstream: this.options.upstream }, this.options.envelope);
      await insertAuthority(trx, prepared);
      // With nothing active yet (first start), the first CA signs at once: one `ca.activated` entry says so.
      if (!active) {
        await updateAuthority(trx, prepared.id, { state: 'active', activated_at: isoTime(now) });
        events.push(caEvent('activated', prepared, actor, { first: true, upstream: this.options.upstream !== null }));
        return events;
      }
      events.push(caEvent('prepared', prepared, actor, { upstream: this.options.upstream !== null }));
      if (!rotateNow) return events;
    }
    if (active) {
      const last = await lastExpiryBy(trx, active.id);
      const removeAt = isoTime(Math.max(now, last === null ? now : Date.parse(last)));
      await updateAuthority(trx, active.id, { state: 'retired', remove_at: removeAt });
      events.push(caEvent('retired', active, actor, { remove_at: removeAt }));
    }
    await updateAuthority(trx, prepared.id, { state: 'active', activated_at: isoTime(now) });
    events.push(caEvent('activated', prepared, actor));
    return events;
  }
}
