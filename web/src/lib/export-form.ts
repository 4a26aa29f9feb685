import type {
  ExportBizType,
  ExportColumn,
  ExportColumnsAnswer,
  FilterOp,
  FilterValueType,
} from '../api/types';
import { translate, type Lang, type MessageKey } from '../i18n/messages';
import { zonedInstant, type WallClock } from './zoned-time';

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
  /** The column's header in the language when the filter reads a column of the export, else the filter's name. */
  header: string;
  /** The form label: the header and the operator as words ("Created from", "下单时间 起"). */
  label: string;
  op: FilterOp;
  type: FilterValueType;
  control: FieldControl;
}

/** A column's header in a language: `headers[lang]`, else the plain `header`. */
export const columnHeader = (c: Pick<ExportColumn, 'header' | 'headers'>, lang: Lang): string =>
  c.headers?.[lang] ?? c.header;

/**
 * The operator as words. Comparisons read as a range on dates ("from", "before") and as amounts
 * otherwise ("at least", "less than"); `=` needs no word beside the header.
 */
function opKey(op: FilterOp, type: FilterValueType): MessageKey {
  const dated = type === 'datetime';
  switch (op) {
    case '=':
      return 'export.op.eq';
    case '!=':
      return 'export.op.ne';
    case 'in':
      return 'export.op.in';
    case 'like':
      return 'export.op.like';
    case '>=':
      return dated ? 'export.op.from' : 'export.op.atLeast';
    case '>':
      return dated ? 'export.op.after' : 'export.op.moreThan';
    case '<=':
      return dated ? 'export.op.until' : 'export.op.atMost';
    case '<':
      return dated ? 'export.op.before' : 'export.op.lessThan';
  }
}

export const filterLabel = (header: string, op: FilterOp, type: FilterValueType, lang: Lang): string =>
  translate(lang, opKey(op, type), { label: header });

export function buildFilterFields(
  b: Pick<ExportBizType, 'dataHandler' | 'columns'>,
  lang: Lang = 'en',
): FilterField[] {
  const filters = b.dataHandler.filters ?? {};
  return Object.entries(filters).map(([name, spec]) => {
    const type = spec.type ?? 'string';
    const multiple = spec.op === 'in';
    const column =
      b.columns.find((c) => c.key === (spec.column ?? name)) ?? b.columns.find((c) => c.key === name);
    let control: FieldControl;
    if (column?.dict && Object.keys(column.dict).length > 0 && type !== 'datetime' && type !== 'boolean') {
      const words = column.dicts?.[lang] ?? {};
      control = {
        kind: 'enum',
        multiple,
        options: Object.entries(column.dict).map(([value, label]) => ({
          value,
          label: words[value] ?? label,
        })),
      };
    } else if (type === 'datetime') control = { kind: 'datetime' };
    else if (type === 'number') control = { kind: 'number', multiple };
    else if (type === 'boolean') control = { kind: 'boolean' };
    else control = { kind: 'text', multiple };
    const header = column ? columnHeader(column, lang) : name;
    return { name, header, label: filterLabel(header, spec.op, type, lang), op: spec.op, type, control };
  });
}

/** Anything with toISOString (a Dayjs or a Date), so this module needs no date library. */
interface Instant {
  toISOString(): string;
}
const isInstant = (v: unknown): v is Instant =>
  typeof v === 'object' && v !== null && typeof (v as Instant).toISOString === 'function';

const isWallClock = (v: unknown): v is WallClock =>
  typeof v === 'object' && v !== null && typeof (v as WallClock).hour === 'function';

/**
 * The request's `filters` from the form's values: empty fields left out, dates as ISO instants
 * (the picker's wall-clock time read in `timeZone`, the export's zone, when one is given),
 * dictionary values and numbers typed as the filter wants them, `in` filters as arrays.
 */
export function toFilters(
  fields: readonly FilterField[],
  values: Record<string, unknown>,
  timeZone?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const typed = (f: FilterField, v: unknown): unknown => {
    if (timeZone && isWallClock(v)) return zonedInstant(v, timeZone).toISOString();
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

/**
 * The column choices of the form: unavailable (restricted, not granted) ones shown but disabled,
 * titled in the language when the biz type names the column in it.
 */
export function columnChoices(
  answer: ExportColumnsAnswer,
  columns: readonly Pick<ExportColumn, 'key' | 'header' | 'headers'>[] = [],
  lang: Lang = 'en',
) {
  return answer.columns.map((c) => {
    const own = columns.find((x) => x.key === c.key);
    return {
      value: c.key,
      label: own ? columnHeader(own, lang) : c.header,
      restricted: c.restricted,
      disabled: !c.available,
    };
  });
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
