import type { Writable } from 'node:stream';
import type { Cell } from '../../domain/exports/cell-format';
import type { ExportColumn } from '../../domain/exports/export-column';
import { validationError } from '../../domain/shared/errors';
import type { ExportFormat } from '../../domain/exports/export-format';
import { CsvTableWriter } from './csv-writer';
import { XlsxTableWriter } from './xlsx-writer';

/** A streaming export file: rows in, bytes out into `out`, never the whole file in memory. */
export interface TableWriter {
  /** Writes rows (already formatted Cells) in order; resolves when it is safe to send more (backpressure). */
  write(rows: readonly Cell[][]): Promise<void>;
  /** Finishes the file; resolves when every byte has been flushed into the output stream. */
  finish(): Promise<{ rows: number }>;
  /** Stops on failure/cancellation; the output stream is destroyed. */
  abort(err?: Error): Promise<void>;
}

export interface TableWriterOptions {
  format: ExportFormat;
  columns: readonly ExportColumn[];
  /** e.g. a PassThrough piped into object storage */
  out: NodeJS.WritableStream | Writable;
  /** UTF-8 BOM for csv, so Excel reads it as UTF-8 */
  csvBom?: boolean;
  /** xlsx: name of the first sheet (default "Sheet1"); later sheets are "Sheet2", "Sheet3", … */
  sheetName?: string;
  /** xlsx: data rows per sheet, default 1,048,575 (+1 header row = Excel's 1,048,576 limit) */
  maxRowsPerSheet?: number;
  /** Fixed workbook dates, so the same input gives the same bytes (default: the Unix epoch). */
  createdAt?: Date;
}

/** Excel's row limit per sheet, minus the header row. */
export const MAX_XLSX_DATA_ROWS = 1_048_575;

export function createTableWriter(o: TableWriterOptions): TableWriter {
  switch (o.format) {
    case 'xlsx':
      return new XlsxTableWriter(o);
    case 'csv':
      return new CsvTableWriter(o);
    default:
      throw validationError('INVALID_EXPORT_FORMAT', `unknown export format ${JSON.stringify(o.format)}`);
  }
}
