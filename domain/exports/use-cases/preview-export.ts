import type { Principal } from '../../shared/principal';
import { parseExportRequest, rowScopeUnits } from '../export-request';
import { readScopeOf, type EstimateRows } from './admit-export';

export type { EstimateRows };
import { localizeColumns } from '../localize';
import { exportBizType, type RequestExportDeps, type RequestExportInput } from './request-export';

export interface ExportPreview {
  /** The rows the export would hold now (exact when the source counts them; null: unknown). */
  estimatedRows: number | null;
  maxRows: number;
  /** False when the export would fail with ROW_LIMIT_EXCEEDED; `message` says what to do. */
  withinMaxRows: boolean;
  message: string | null;
  timeZone: string;
  locale: string | null;
  /** The columns the caller would get, in order, titled in the locale. */
  columns: { key: string; header: string; type: string }[];
}

/**
 * `POST /api/exports/preview` (API.md "Export options"): the same validation as a request (biz
 * type, filters, columns the caller may see, zone and locale), then the data handler's count of
 * the rows in the caller's scope, checked against `rules.maxRows` before anything is queued.
 */
export async function previewExport(
  d: Pick<RequestExportDeps, 'bizTypes' | 'permissions' | 'defaultTimeZone'>,
  estimate: EstimateRows,
  user: Principal,
  input: RequestExportInput,
): Promise<ExportPreview> {
  const b = await exportBizType(d, input.bizType);
  const { subject, grants, unitPaths } = await d.permissions.inputs(user);
  // The format does not change the rows or columns: the first the biz type allows when none is given.
  const raw = { ...input, format: input.format ?? b.rules.formats[0] } as unknown as Record<string, unknown>;
  const req = parseExportRequest(b, raw, subject, grants, d.defaultTimeZone ?? null);
  const estimatedRows = await estimate(b, readScopeOf(b, req, rowScopeUnits(b, user, unitPaths)));
  const withinMaxRows = estimatedRows === null || estimatedRows <= b.rules.maxRows;
  const chosen = req.columns.map((k) => b.columns.find((c) => c.key === k)!);
  return {
    estimatedRows,
    maxRows: b.rules.maxRows,
    withinMaxRows,
    message: withinMaxRows
      ? null
      : `${estimatedRows} rows match, more than the ${b.rules.maxRows} ${b.code} allows in one export; narrow the filters (a date range, a status)`,
    timeZone: req.timeZone,
    locale: req.locale,
    columns: localizeColumns(chosen, req.locale).map((c) => ({ key: c.key, header: c.header, type: c.type })),
  };
}
