import type { ExportColumn } from '../metadata/export-column';
import { pickLocale } from '../shared/locale';

/**
 * The language of an export (API.md "Export options"): a request's `locale` picks each column's
 * header from `headers` and its dictionary labels from `dicts`, the exact tag first, then its
 * language ("zh" for "zh-TW"), then the column's own `header` and `dict`.
 */

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
