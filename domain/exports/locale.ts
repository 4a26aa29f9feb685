import { validationError } from '../shared/errors';
import type { ExportColumn } from './export-column';

/**
 * The language of an export (API.md "Export options"): a request's `locale` picks each column's
 * header from `headers` and its dictionary labels from `dicts`, the exact tag first, then its
 * language ("zh" for "zh-TW"), then the column's own `header` and `dict`.
 */
export const LOCALE_PATTERN = /^[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,3}$/i;

/** The canonical tag ("zh-cn" → "zh-CN"), or null when it is not a BCP 47 language tag. */
export function canonicalLocale(tag: string): string | null {
  if (!LOCALE_PATTERN.test(tag.trim())) return null;
  try {
    return Intl.getCanonicalLocales(tag.trim())[0] ?? null;
  } catch {
    return null;
  }
}

/** Validates a `locale` field (absent: null); throws INVALID_LOCALE naming the field. */
export function parseLocale(raw: unknown, field: string): string | null {
  if (raw === undefined || raw === null) return null;
  const tag = typeof raw === 'string' ? canonicalLocale(raw) : null;
  if (tag === null)
    throw validationError('INVALID_LOCALE', `${field} must be a language tag such as zh-CN or en`, { field });
  return tag;
}

/** The entry of `byLocale` for `locale`: the exact tag, then its language. */
export function pickLocale<T>(byLocale: Record<string, T> | undefined, locale: string | null): T | undefined {
  if (!byLocale || !locale) return undefined;
  if (Object.hasOwn(byLocale, locale)) return byLocale[locale];
  const language = locale.split('-')[0];
  if (Object.hasOwn(byLocale, language)) return byLocale[language];
  // "zh" asked, "zh-CN" offered: the first tag of that language.
  const near = Object.keys(byLocale).find((k) => k.split('-')[0] === language);
  return near === undefined ? undefined : byLocale[near];
}

/**
 * The columns as written in `locale`: `header` and `dict` resolved, `headers` and `dicts` dropped,
 * so readers and writers see one plain column. A label missing from a locale's dictionary falls
 * back to the column's `dict`, then to the value.
 */
export function localizeColumns(columns: readonly ExportColumn[], locale: string | null): ExportColumn[] {
  return columns.map((c) => {
    const { headers, dicts, ...plain } = c;
    const header = pickLocale(headers, locale) ?? c.header;
    const labels = pickLocale(dicts, locale);
    const out: ExportColumn = { ...plain, header };
    if (labels) out.dict = Object.assign(Object.create(null) as Record<string, string>, c.dict, labels);
    return out;
  });
}

/**
 * Whether a csv gets a UTF-8 byte-order mark: `rules.csvBom` when the biz type sets it, otherwise
 * yes unless the export is in English. Excel opens a csv without a BOM in the machine's legacy code
 * page, which garbles every non-ASCII character (Chinese names first); English files are mostly
 * ASCII and some tools still choke on a BOM.
 */
export function wantsCsvBom(csvBom: boolean | null | undefined, locale: string | null): boolean {
  if (typeof csvBom === 'boolean') return csvBom;
  return locale === null || locale.split('-')[0] !== 'en';
}
