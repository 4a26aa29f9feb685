import type { ExportBizType, ExportColumnsAnswer, FilterOp, FilterValueType } from '../api/types';

/**
 * The filter form of an export, built from its biz type (pure: unit-tested in export-form.test.ts).
 * Each filter of `dataHandler.filters` becomes one typed field: a date-time picker, a number, a
 * yes/no choice, a text, or a choice among the values of the column's dictionary (one or several
 * for an `in` filter).
 */
export type FieldControl =
  | { kind: 'datetime' }
  | { kind: 'number'; multiple: boolean }
  | { kind: 'boolean' }
  | { kind: 'text'; multiple: boolean }
  | { kind: 'enum'; multiple: boolean; options: { value: string; label: string }[] };

export interface FilterField {
  name: string;
  /** The column's header when the filter reads a column of the export, else the filter's name. */
  label: string;
  op: FilterOp;
  type: FilterValueType;
  control: FieldControl;
}

export function buildFilterFields(b: Pick<ExportBizType, 'dataHandler' | 'columns'>): FilterField[] {
  const filters = b.dataHandler.filters ?? {};
  return Object.entries(filters).map(([name, spec]) => {
    const type = spec.type ?? 'string';
    const multiple = spec.op === 'in';
    const column =
      b.columns.find((c) => c.key === (spec.column ?? name)) ?? b.columns.find((c) => c.key === name);
    let control: FieldControl;
    if (column?.dict && Object.keys(column.dict).length > 0 && type !== 'datetime' && type !== 'boolean') {
      control = {
        kind: 'enum',
        multiple,
        options: Object.entries(column.dict).map(([value, label]) => ({ value, label })),
      };
    } else if (type === 'datetime') control = { kind: 'datetime' };
    else if (type === 'number') control = { kind: 'number', multiple };
    else if (type === 'boolean') control = { kind: 'boolean' };
    else control = { kind: 'text', multiple };
    return { name, label: column?.header ?? name, op: spec.op, type, control };
  });
}

/** Anything with toISOString (a Dayjs or a Date), so this module needs no date library. */
interface Instant {
  toISOString(): string;
}
const isInstant = (v: unknown): v is Instant =>
  typeof v === 'object' && v !== null && typeof (v as Instant).toISOString === 'function';

/**
 * The request's `filters` from the form's values: empty fields left out, dates as ISO instants,
 * dictionary values and numbers typed as the filter wants them, `in` filters as arrays.
 */
export function toFilters(
  fields: readonly FilterField[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const typed = (f: FilterField, v: unknown): unknown => {
    if (isInstant(v)) return v.toISOString();
    if (f.type === 'number') return typeof v === 'number' ? v : Number(v);
    if (f.type === 'boolean') return v === true || v === 'true';
    return typeof v === 'string' ? v.trim() : v;
  };
  for (const f of fields) {
    const v = values[f.name];
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      out[f.name] = v.map((x) => typed(f, x));
    } else {
      const one = typed(f, v);
      out[f.name] = f.op === 'in' ? [one] : one;
    }
  }
  return out;
}

/** The column choices of the form: unavailable (restricted, not granted) ones shown but disabled. */
export function columnChoices(answer: ExportColumnsAnswer) {
  return answer.columns.map((c) => ({
    value: c.key,
    label: c.header,
    restricted: c.restricted,
    disabled: !c.available,
  }));
}

/** The columns to request: the chosen ones, when they are not simply every available column. */
export function requestedColumns(
  answer: ExportColumnsAnswer,
  chosen: readonly string[],
): string[] | undefined {
  const available = answer.columns.filter((c) => c.available).map((c) => c.key);
  const picked = available.filter((k) => chosen.includes(k));
  return picked.length === available.length ? undefined : picked;
}
