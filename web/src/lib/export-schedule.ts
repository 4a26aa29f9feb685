import type { FilterField } from './export-form';
import { wallFieldsAt, type WallFields } from './zoned-time';

/**
 * The parts of an export schedule's form that are not an export's (pure: unit-tested in
 * export-schedule.test.ts): the cron presets, and the relative date ranges a schedule's filters
 * may hold (API.md "Recurring exports": `{"$relative": "-P1D", "$startOf": "day"}`, resolved at
 * each firing in the schedule's zone).
 */

/** A filter value relative to the firing; `$startOf` as the server takes it. */
export interface RelativeValue {
  $relative: string;
  $startOf?: 'day' | 'week' | 'month';
}

export const isRelative = (v: unknown): v is RelativeValue =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  typeof (v as RelativeValue).$relative === 'string';

/** Cron presets of the form: at 02:00 (in the schedule's zone) every day, every Monday, every 1st. */
export const CRON_PRESETS = [
  { id: 'daily', cron: '0 2 * * *' },
  { id: 'weekly', cron: '0 2 * * 1' },
  { id: 'monthly', cron: '0 2 1 * *' },
] as const;
export type CronPresetId = (typeof CRON_PRESETS)[number]['id'];

/**
 * Date ranges relative to the firing: the start (inclusive) and the end (the start of the firing's
 * day, week or month), so a daily firing at 02:00 with "yesterday" exports exactly yesterday.
 */
export const PERIOD_PRESETS = [
  {
    id: 'yesterday',
    from: { $relative: '-P1D', $startOf: 'day' },
    to: { $relative: 'P0D', $startOf: 'day' },
  },
  {
    id: 'last7days',
    from: { $relative: '-P7D', $startOf: 'day' },
    to: { $relative: 'P0D', $startOf: 'day' },
  },
  {
    id: 'lastWeek',
    from: { $relative: '-P1W', $startOf: 'week' },
    to: { $relative: 'P0D', $startOf: 'week' },
  },
  {
    id: 'lastMonth',
    from: { $relative: '-P1M', $startOf: 'month' },
    to: { $relative: 'P0D', $startOf: 'month' },
  },
] as const satisfies readonly { id: string; from: RelativeValue; to: RelativeValue }[];
export type PeriodId = (typeof PERIOD_PRESETS)[number]['id'];

/**
 * The date range a period fills: the biz type's first datetime filter with a lower bound (`>=`,
 * `>`) and the first with an upper bound (`<`, `<=`). Either may be missing (then only the other
 * is filled); none: the biz type has no date range and the period choice is not offered.
 */
export function dateRangeFields(fields: readonly FilterField[]): { from?: string; to?: string } | null {
  const dated = fields.filter((f) => f.type === 'datetime');
  const from = dated.find((f) => f.op === '>=' || f.op === '>')?.name;
  const to = dated.find((f) => f.op === '<' || f.op === '<=')?.name;
  return from || to ? { from, to } : null;
}

const same = (a: unknown, b: RelativeValue | undefined): boolean =>
  isRelative(a) &&
  b !== undefined &&
  a.$relative === b.$relative &&
  (a.$startOf ?? null) === (b.$startOf ?? null);

/** The filters with the period's relative values in the range's fields (over any absolute dates). */
export function withPeriod(
  filters: Record<string, unknown>,
  range: { from?: string; to?: string },
  period: PeriodId,
): Record<string, unknown> {
  const p = PERIOD_PRESETS.find((x) => x.id === period);
  if (!p) return filters;
  const out = { ...filters };
  if (range.from) out[range.from] = { ...p.from };
  if (range.to) out[range.to] = { ...p.to };
  return out;
}

/**
 * Which period a schedule's stored filters are, when editing it: a preset's id, 'custom' for
 * relative values no preset has (kept as they are unless the person picks another period), or
 * null for none (fixed dates or no date filter).
 */
export function periodOf(
  filters: Record<string, unknown>,
  range: { from?: string; to?: string } | null,
): PeriodId | 'custom' | null {
  if (!range) return null;
  const from = range.from ? filters[range.from] : undefined;
  const to = range.to ? filters[range.to] : undefined;
  if (!isRelative(from) && !isRelative(to)) return null;
  const hit = PERIOD_PRESETS.find(
    (p) => (!range.from || same(from, p.from)) && (!range.to || same(to, p.to)),
  );
  return hit ? hit.id : 'custom';
}

/** A stored instant's fields as `zone`'s clocks show them (month 0-11), for a picker. */
export function wallClockIn(iso: string, zone: string): WallFields | null {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : wallFieldsAt(t, zone);
}

/**
 * A stored schedule's filters as the form's values (the inverse of toFilters): dictionary and
 * yes/no values as the selects hold them (strings), fixed dates as wall-clock fields in the
 * schedule's zone (`wall` turns them into the picker's value). Relative values are left out:
 * the period choice stands for them.
 */
export function formValuesOf<D>(
  fields: readonly FilterField[],
  filters: Record<string, unknown>,
  zone: string,
  wall: (w: WallFields) => D,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Stored values are numbers, booleans or strings (toFilters); anything else is left out.
  const text = (x: unknown): string =>
    typeof x === 'number' || typeof x === 'boolean' ? String(x) : typeof x === 'string' ? x : '';
  for (const f of fields) {
    const v = filters[f.name];
    if (v === undefined || v === null || isRelative(v)) continue;
    if (f.control.kind === 'datetime') {
      const w = typeof v === 'string' ? wallClockIn(v, zone) : null;
      if (w) out[f.name] = wall(w);
    } else if (f.control.kind === 'enum' || f.control.kind === 'boolean')
      out[f.name] = Array.isArray(v) ? v.map(text) : text(v);
    else if (f.control.kind === 'number' && f.control.multiple)
      out[f.name] = Array.isArray(v) ? v.map(text) : [text(v)];
    else out[f.name] = v;
  }
  return out;
}
