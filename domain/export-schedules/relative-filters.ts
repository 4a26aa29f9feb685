import { DateTime, Duration } from 'luxon';
import { ExportScheduleErrors } from './export-schedule.errors';

/**
 * Filter values relative to a schedule's firing (API.md "Recurring exports"):
 * `{"$relative": "-P1D", "$startOf": "day"}` is the firing time plus the ISO-8601 duration, then
 * (optionally) the start of its day, week or month, all read in the schedule's time zone, so
 * "yesterday from midnight" means midnight where the schedule lives, DST included.
 */
export const START_OF_UNITS = ['day', 'week', 'month'] as const;
export type StartOfUnit = (typeof START_OF_UNITS)[number];

export interface RelativeValue {
  $relative: string;
  $startOf?: StartOfUnit;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a value looks like a relative value (has `$relative`); checked by checkRelativeValue. */
export const isRelative = (v: unknown): v is RelativeValue => isPlainObject(v) && '$relative' in v;

/** Validates one relative value; `field` names it in the error. */
function checkRelativeValue(v: Record<string, unknown>, field: string): RelativeValue {
  for (const k of Object.keys(v))
    if (k !== '$relative' && k !== '$startOf')
      throw ExportScheduleErrors.invalidRelative(field, `unknown key "${k}" (only $relative and $startOf)`);
  const rel = v.$relative;
  if (typeof rel !== 'string' || rel.length > 64 || !Duration.fromISO(rel.replace(/^[-+]/, '')).isValid)
    throw ExportScheduleErrors.invalidRelative(field, '$relative must be an ISO-8601 duration such as -P1D');
  const unit = v.$startOf;
  if (unit !== undefined && !(START_OF_UNITS as readonly unknown[]).includes(unit))
    throw ExportScheduleErrors.invalidRelative(field, `$startOf must be one of ${START_OF_UNITS.join(', ')}`);
  return unit === undefined ? { $relative: rel } : { $relative: rel, $startOf: unit as StartOfUnit };
}

/**
 * Checks the relative values among a schedule's filters (at the top of a filter, or inside an
 * `in` list); every other value is left for the biz type to judge when the export is requested.
 * Any other `$`-key object is refused: a typo must not reach the data handler as a literal.
 */
export function checkRelativeFilters(filters: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(filters)) {
    const each = Array.isArray(v) ? v : [v];
    each.forEach((x, i) => {
      const field = Array.isArray(v) ? `filters.${name}[${i}]` : `filters.${name}`;
      if (isRelative(x)) checkRelativeValue(x as unknown as Record<string, unknown>, field);
      else if (isPlainObject(x) && Object.keys(x).some((k) => k.startsWith('$')))
        throw ExportScheduleErrors.invalidRelative(field, 'a relative value needs $relative');
    });
  }
}

/** One relative value at `at` in `zone`, as ISO-8601 with the zone's offset (e.g. +08:00). */
export function relativeInstant(v: RelativeValue, at: Date, zone: string): string {
  const sign = v.$relative.startsWith('-') ? -1 : 1;
  const d = Duration.fromISO(v.$relative.replace(/^[-+]/, ''));
  let t = DateTime.fromJSDate(at, { zone });
  t = sign < 0 ? t.minus(d) : t.plus(d);
  if (v.$startOf) t = t.startOf(v.$startOf);
  return t.toISO({ suppressMilliseconds: true })!;
}

/** The filters with every relative value replaced by its instant at the firing `at` in `zone`. */
export function resolveFilters(
  filters: Record<string, unknown>,
  at: Date,
  zone: string,
): Record<string, unknown> {
  const one = (x: unknown) => (isRelative(x) ? relativeInstant(x, at, zone) : x);
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(filters)) out[name] = Array.isArray(v) ? v.map(one) : one(v);
  return out;
}
