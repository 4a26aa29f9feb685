/**
 * Wall-clock times in a named time zone (pure; zoned-time.test.ts). An export's date filters are
 * read in the export's zone, as its cells are written: "Created from 2026-11-01 00:00" with
 * Asia/Shanghai means Shanghai's midnight, whatever zone the browser is in.
 */

/** A date-time as the picker holds it: its fields, in no particular zone (a Dayjs fits). */
export interface WallClock {
  year(): number;
  /** 0-11 */
  month(): number;
  date(): number;
  hour(): number;
  minute(): number;
  second(): number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** A date-time's fields as `zone`'s clocks show them at `instant` (month 0-11). */
export interface WallFields {
  year: number;
  month: number;
  date: number;
  hour: number;
  minute: number;
  second: number;
}

export function wallFieldsAt(instant: number, zone: string): WallFields {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, f);
  }
  const part = Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, Number(p.value)]));
  return {
    year: part.year,
    month: part.month - 1,
    date: part.day,
    hour: part.hour,
    minute: part.minute,
    second: part.second,
  };
}

/** How far `zone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, zone: string): number {
  const w = wallFieldsAt(instant, zone);
  const asUtc = Date.UTC(w.year, w.month, w.date, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which `zone`'s clocks show `w`. A time skipped by a spring-forward gap lands an
 * hour later (as the zone itself would read it); a repeated autumn hour takes its first instance.
 */
export function zonedInstant(w: WallClock, zone: string): Date {
  const local = Date.UTC(w.year(), w.month(), w.date(), w.hour(), w.minute(), w.second());
  const HALF_DAY = 12 * 3600_000;
  // The zone's offsets before and after any change near this time (changes are months apart).
  const candidates = [offsetAt(local - HALF_DAY, zone), offsetAt(local + HALF_DAY, zone)].map(
    (offset) => local - offset,
  );
  const valid = candidates.filter((c) => offsetAt(c, zone) === local - c);
  return new Date(valid.length ? Math.min(...valid) : Math.max(...candidates));
}

/** The browser's own zone (the default when a biz type names none), UTC where it is unknown. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The IANA zones to choose from: the runtime's list, with UTC and the given ones always in it. */
export function timeZoneChoices(...always: (string | null | undefined)[]): string[] {
  const known =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ([] as string[]);
  const all = new Set<string>(['UTC', ...known]);
  for (const z of always) if (z) all.add(z);
  return [...all].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}
