import { DateTime, IANAZone } from 'luxon';
import { ValidationErrors } from './validation.errors';

/**
 * The time zone of an export (API.md "Export options"): the request's `timeZone`, else the biz
 * type's `rules.timeZone`, else `DEFAULT_TIME_ZONE`, else UTC. Datetime cells show the wall-clock
 * time in that zone and datetime filters without an offset are read in it. IANA names only, through
 * luxon (the platform's tz database), never hand-written offsets: DST rules change.
 */
export const UTC = 'UTC';
const MAX_ZONE_LENGTH = 64;

/** The canonical IANA name of a zone, or null when the name is not one. */
export function canonicalTimeZone(name: string): string | null {
  if (name.length === 0 || name.length > MAX_ZONE_LENGTH) return null;
  if (/^(utc|etc\/utc|z)$/i.test(name)) return UTC;
  if (!IANAZone.isValidZone(name)) return null;
  // Intl answers the canonical spelling ("asia/shanghai" → "Asia/Shanghai").
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}

/** Validates a `timeZone` field (absent: null); throws INVALID_TIME_ZONE naming the field. */
export function parseTimeZone(raw: unknown, field: string): string | null {
  if (raw === undefined || raw === null) return null;
  const zone = typeof raw === 'string' ? canonicalTimeZone(raw.trim()) : null;
  if (zone === null) throw ValidationErrors.invalidTimeZone(field);
  return zone;
}

/** The first zone given, else UTC. */
export function resolveTimeZone(...candidates: (string | null | undefined)[]): string {
  for (const c of candidates) if (c) return c;
  return UTC;
}

const HOUR = 3_600_000;

/**
 * Epoch milliseconds → the same instant's wall-clock time in `zone`, as milliseconds whose UTC
 * fields are the local ones. Offsets are looked up once per hour of time and cached: an hour whose
 * start and end share an offset has that offset throughout (zones change at most once an hour), an
 * hour with a transition is looked up per value.
 */
export function wallClockConverter(zone: string): (epochMs: number) => number {
  if (zone === UTC) return (ms) => ms;
  const z = IANAZone.create(zone);
  const offsets = new Map<number, number | null>();
  return (ms) => {
    const hour = Math.floor(ms / HOUR);
    let minutes = offsets.get(hour);
    if (minutes === undefined) {
      const start = z.offset(hour * HOUR);
      minutes = start === z.offset(hour * HOUR + HOUR - 1) ? start : null;
      if (offsets.size > 100_000) offsets.clear();
      offsets.set(hour, minutes);
    }
    return ms + (minutes ?? z.offset(ms)) * 60_000;
  };
}

export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * The instant a wall-clock time names in `zone`. A time that does not exist there (the hour
 * skipped when DST starts) moves forward by the gap; an ambiguous one (the repeated hour) is the
 * earlier instant, as luxon resolves both.
 */
export function instantOfWallClock(fields: LocalFields, zone: string): Date {
  return DateTime.fromObject(fields, { zone }).toJSDate();
}
