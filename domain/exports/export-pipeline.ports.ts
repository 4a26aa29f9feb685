import type { Writable } from 'node:stream';
import type { Cell } from './cell-format';
import type { ExportColumn } from '../metadata/export-column';
import type { ExportFormat } from '../metadata/export-format';
import type { ExportBizType } from '../metadata/biz-type';
import type { FileTask, StoredFile } from '../file-tasks/file-task';
import type { KeyRange, KeyValue, ReadScope } from './data-handler.port';

/**
 * The contracts of the export pipeline (DESIGN.md "The export pipeline"): what the run-export use
 * case asks of it, what a coordinator asks of the chunk readers, and what a writer must do. The
 * adapters live in mixins/export-pipeline/.
 */

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

/** One chunk read request, sent by a coordinator to a chunk reader on any export node. */
export interface ChunkRequest {
  handler: ExportBizType['dataHandler'];
  columns: ExportColumn[];
  scope: ReadScope;
  range: KeyRange;
  limit: number;
  /** IANA zone whose wall-clock time date cells hold. */
  timeZone: string;
  /** csv: prefix formula-like text with `'`; xlsx: leave it, the writer marks it quote-prefixed. */
  quoteFormulas: boolean;
}

/** One batch read by a chunk reader: formatted cells (dates as Excel serials) and the cursor. */
export interface CellBatch {
  cells: Cell[][];
  next: KeyValue | null;
}

/** Reads one batch of a chunk, wherever the reader runs. */
export type ChunkReading = (request: ChunkRequest) => Promise<CellBatch>;

/** What a finished run stored. */
export interface ExportOutput {
  file: StoredFile;
  rowCount: number;
  manifest: Record<string, unknown>;
}

/** Writes progress and renews the lease; false when the task was cancelled or taken over. */
export type Heartbeat = (rows: number, total: number | null) => Promise<boolean>;

/**
 * Reads every row of a claimed export and stores the file, or throws (an ExportFailure, or
 * ExportStopped when the heartbeat says the task is no longer this run's). Nothing is left in
 * storage when it throws.
 */
export interface ExportPipeline {
  run(task: FileTask, bizType: ExportBizType, heartbeat: Heartbeat): Promise<ExportOutput>;
  /** Removes a stored file that was never published (its SUCCESS was not recorded); never throws. */
  discard(storageKey: string): Promise<void>;
}
