import { canExport, exportableColumns, type Subject } from './policy';
import type { Grant } from './grant';

/**
 * What `GET /api/biz-types/:code/export-columns` answers: every column of an EXPORT biz type with
 * whether the caller would get it, so a form can show restricted columns as unavailable instead of
 * hiding them. The same rule as the export itself (exportableColumns).
 */
export function exportColumnsView(
  s: Subject,
  bizType: { code: string; columns: readonly { key: string; header: string; restricted?: boolean }[] },
  grants: readonly Grant[],
  columnPermission: boolean,
) {
  const allowed = new Set(exportableColumns(s, bizType.code, bizType.columns, grants, columnPermission));
  return {
    bizType: bizType.code,
    mayExport: canExport(s, bizType.code, grants),
    columns: bizType.columns.map((c) => ({
      key: c.key,
      header: c.header,
      restricted: c.restricted === true,
      available: allowed.has(c.key),
    })),
  };
}
