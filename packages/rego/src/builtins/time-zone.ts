// Time zones for the time builtins. OPA loads IANA zones with Go's
// time.LoadLocation; Node ships full ICU, so Intl.DateTimeFormat knows the
// same IANA database and gives us the UTC offset in effect at any instant.

export interface ZoneInfo {
  offset: number; // seconds east of UTC
  abbrev: string;
}

export interface Zone {
  readonly name: string;
  lookup(unixSec: number): ZoneInfo;
}

export class UnknownZoneError extends Error {}

export const UTC: Zone = { name: 'UTC', lookup: () => ({ offset: 0, abbrev: 'UTC' }) };

export function fixedZone(name: string, offset: number): Zone {
  return { name, lookup: () => ({ offset, abbrev: name }) };
}

/** Go prints a zone without a letter abbreviation as "+05" or "+0530". */
export function numericAbbrev(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = String(Math.floor(abs / 3600)).padStart(2, '0');
  const m = Math.floor((abs % 3600) / 60);
  return m === 0 ? `${sign}${h}` : `${sign}${h}${String(m).padStart(2, '0')}`;
}

const FIELDS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  era: 'short',
};

function intlZone(name: string): Zone {
  // Intl also takes "+05:30" style offsets, which Go's LoadLocation does not.
  if (/^[+-]/.test(name)) throw new UnknownZoneError(`unknown time zone ${name}`);
  let fields: Intl.DateTimeFormat;
  let short: Intl.DateTimeFormat;
  try {
    fields = new Intl.DateTimeFormat('en-US', { ...FIELDS, timeZone: name });
    short = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'short' });
  } catch {
    throw new UnknownZoneError(`unknown time zone ${name}`);
  }
  const cache = new Map<number, ZoneInfo>();
  return {
    name,
    lookup(unixSec: number): ZoneInfo {
      const hit = cache.get(unixSec);
      if (hit) return hit;
      const date = new Date(unixSec * 1000);
      const parts: Record<string, string> = {};
      for (const p of fields.formatToParts(date)) parts[p.type] = p.value;
      let year = Number(parts.year);
      if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
      const localMs = Date.UTC(0, Number(parts.month) - 1, Number(parts.day), Number(parts.hour),
        Number(parts.minute), Number(parts.second));
      // Date.UTC maps years 0-99 to 1900-1999, so set the year separately.
      const local = new Date(localMs);
      local.setUTCFullYear(year);
      const offset = Math.round((local.getTime() - Math.floor(unixSec) * 1000) / 1000);
      const tzName = short.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
      const abbrev = /^[A-Z]{3,5}$/.test(tzName) && !/^GMT$/.test(tzName) ? tzName
        : offset === 0 ? (tzName === 'UTC' ? 'UTC' : 'GMT') : numericAbbrev(offset);
      const info = { offset, abbrev };
      if (cache.size < 4096) cache.set(unixSec, info);
      return info;
    },
  };
}

const zones = new Map<string, Zone>();

/**
 * The zone for a name as OPA's time builtins accept it: "" and "UTC" are UTC,
 * "Local" is the process's zone, anything else an IANA name.
 */
export function loadZone(name: string): Zone {
  if (name === '' || name === 'UTC') return UTC;
  const key = name === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
  let zone = zones.get(key);
  if (!zone) {
    zone = key === 'UTC' ? UTC : intlZone(key);
    zones.set(key, zone);
  }
  return zone;
}
